"""Every endpoint under /api/v1/operations, /api/v1/messages and /api/v1/inbox has its entry
in one of the API's access matrices.

An endpoint added later fails here until a matrix says who gets what from it (a new
module with its own matrix adds that matrix to MATRICES).
"""

from __future__ import annotations

from tests.api.test_compliance_api import MATRIX as COMPLIANCE
from tests.api.test_messages_api import MATRIX as MESSAGES
from tests.api.test_operations_api import MATRIX as OPERATIONS
from tests.support.access_matrix import assert_complete
from tests.url_rules import rules_under

MATRICES = [OPERATIONS, COMPLIANCE, MESSAGES]
# Attachments (upload under a message, download) are held complete beside their pages' in
# tests/messaging/test_attachments.py.
ATTACHMENT_ENDPOINTS = {"api.add_attachment", "api.get_attachment"}


def test_every_operations_and_messages_endpoint_has_an_entry():
    rules = [rule for path in ("/api/v1/operations", "/api/v1/messages", "/api/v1/inbox")
             for rule in rules_under(path) if rule.endpoint not in ATTACHMENT_ENDPOINTS]
    assert_complete(rules, *MATRICES)


def test_each_endpoint_has_one_matrix():
    routes = [route for matrix in MATRICES for route in matrix.routes]
    assert len(routes) == len(set(routes))

