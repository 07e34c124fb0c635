"""The messaging tests' world (world.py): an operation to exchange messages in."""

from __future__ import annotations

import pytest

from tests.messaging.world import build_world


@pytest.fixture
def world(in_app):
    """The world, and an app context around the test to act in it."""
    with in_app():
        yield build_world()
