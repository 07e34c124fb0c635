"""Fixtures of the operation tests: the demo's ids."""

from __future__ import annotations

import pytest

from tests.operations.support import DemoIds, read_ids


@pytest.fixture(scope="session")
def ids(app) -> DemoIds:
    with app.app_context():
        return read_ids()
