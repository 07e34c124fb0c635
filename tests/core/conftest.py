"""Fixtures shared by the tests of core's encryption: switching the configured keys."""

from __future__ import annotations

import base64

import pytest

OLD_KEY = base64.urlsafe_b64encode(b"o" * 32).decode()
NEW_KEY = base64.urlsafe_b64encode(b"n" * 32).decode()
LOST_KEY = base64.urlsafe_b64encode(b"l" * 32).decode()
INDEX_KEY = base64.urlsafe_b64encode(b"i" * 32).decode()


@pytest.fixture
def data_keys(app):
    """Switch the data keys (and BLIND_INDEX_KEY) for the rest of the test, as a restart would."""
    original = app.config["DATA_KEYS"], app.config.get("BLIND_INDEX_KEY")

    def use(value: str, index_key: str | None = None) -> None:
        app.config["DATA_KEYS"] = value
        if index_key is None:
            app.config.pop("BLIND_INDEX_KEY", None)
        else:
            app.config["BLIND_INDEX_KEY"] = index_key
        app.extensions.pop("opsplatform.keyring", None)

    yield use
    use(*original)
