"""The navigation's count of what waits for someone runs one statement built once and
bound per request (core/needs.bound_to), and still counts what the home page lists."""

from __future__ import annotations

import pytest
from flask_login import login_user

from opsplatform.auth.operations import find_user_by_email
from opsplatform.core import needs
from tests.support.clients import demo


@pytest.mark.parametrize("local_part", ["cp.es", "cp.kr", "cp.mx", "ocu", "secretariat",
                                        "observer"])
def test_the_count_is_the_number_of_items(app, local_part):
    with app.test_request_context("/"):
        user = find_user_by_email(demo(local_part))
        login_user(user)
        assert needs.count_for(user) == len(needs.needs_for(user))


def test_the_statement_is_built_once_for_everyone(app):
    built = []
    with app.test_request_context("/"):
        for local_part in ("cp.es", "ocu"):
            user = find_user_by_email(demo(local_part))
            needs.count_for(user)
            built.append(needs._total[1])
    assert built[0] is built[1]
