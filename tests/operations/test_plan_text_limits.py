"""A title over its limit is refused with a message on the plan's pages, never cut:
the operation is unchanged and the form keeps what was typed."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from opsplatform.operations.models import MAX_OPERATION_TITLE_LENGTH, Operation
from tests.operations.test_plan import _new_form, _plan_form

TOO_LONG = "Precursor" * 22 + "XYZ"  # one character over the limit


def test_the_title_is_one_character_over_the_limit():
    assert len(TOO_LONG) == MAX_OPERATION_TITLE_LENGTH + 1


@pytest.mark.parametrize("path", ["/operations/new", "/operations/{id}/edit"])
def test_a_title_over_the_limit_is_refused_and_kept(client_as, in_app, ids, path):
    with in_app() as session:
        before = session.scalar(select(Operation.title).where(Operation.id == ids.catalyst))
    form = (_new_form(code="LIMIT-1", title=TOO_LONG) if "new" in path
            else _plan_form(title=TOO_LONG))
    response = client_as("secretariat").post_form(path.format(id=ids.catalyst), form)
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert f"cannot be longer than {MAX_OPERATION_TITLE_LENGTH} characters" in page
    assert f'value="{TOO_LONG}"' in page  # what was typed, whole
    with in_app() as session:
        assert session.scalar(select(Operation).where(Operation.code == "LIMIT-1")) is None
        assert session.scalar(
            select(Operation.title).where(Operation.id == ids.catalyst)) == before
