"""Every endpoint under /api/v1/operations has its entry in one of the API's access matrices.

An endpoint added later fails here until a matrix says who gets what from it (a new
module with its own matrix adds that matrix to MATRICES).
"""

from __future__ import annotations

from tests.api.test_compliance_api import MATRIX as COMPLIANCE
from tests.api.test_operations_api import MATRIX as OPERATIONS
from tests.support.access_matrix import assert_complete
from tests.url_rules import rules_under

MATRICES = [OPERATIONS, COMPLIANCE]


def test_every_operations_endpoint_has_an_entry():
    assert_complete(rules_under("/api/v1/operations"), *MATRICES)


def test_each_endpoint_has_one_matrix():
    routes = [route for matrix in MATRICES for route in matrix.routes]
    assert len(routes) == len(set(routes))
