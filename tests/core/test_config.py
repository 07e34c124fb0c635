from __future__ import annotations

import stat

import pytest

from config import (
    DEFAULT_INSTANCE_PATH,
    ConfigurationError,
    TestingConfig,
    load_config,
    new_data_key,
)
from opsplatform import create_app

STRONG_SECRET = "k3Y-9f2Qx7LmP0aZr5TbW8nVc1HsJ4dE6gUyO"
PRODUCTION = {"OPSPLATFORM_ENV": "production", "SECRET_KEY": STRONG_SECRET,
              "OPSPLATFORM_DATA_KEY": new_data_key(),
              "OPSPLATFORM_BLIND_INDEX_KEY": new_data_key()}


def _production(**changes):
    environ = {**PRODUCTION, **changes}
    return {name: value for name, value in environ.items() if value is not None}


# -- development ---------------------------------------------------------------------------


def test_development_is_the_default_with_sqlite_under_instance(tmp_path):
    config = load_config(tmp_path, environ={})
    assert config.ENV_NAME == "development"
    assert f"sqlite:///{tmp_path / 'opsplatform.sqlite'}" == config.DATABASE_URL


def test_without_an_instance_path_the_projects_instance_folder_is_used():
    config = load_config(environ={"OPSPLATFORM_ENV": "testing"})
    assert f"sqlite:///{DEFAULT_INSTANCE_PATH / 'opsplatform.sqlite'}" == config.DATABASE_URL
    assert DEFAULT_INSTANCE_PATH.name == "instance"


def test_database_url_comes_from_the_environment(tmp_path):
    url = "postgresql://ops@db.internal:5432/opsplatform"
    assert url == load_config(tmp_path, environ={"DATABASE_URL": url}).DATABASE_URL


def test_development_secrets_are_generated_private_and_stable(tmp_path):
    instance = tmp_path / "instance"
    first = load_config(instance, environ={})
    second = load_config(instance, environ={})

    assert len(first.SECRET_KEY) >= 32
    assert first.DATA_KEYS
    assert (first.SECRET_KEY, first.DATA_KEYS) == (second.SECRET_KEY, second.DATA_KEYS)
    assert first.BLIND_INDEX_KEY == second.BLIND_INDEX_KEY != first.DATA_KEYS
    for name, value in [("secret-key", first.SECRET_KEY), ("data-key", first.DATA_KEYS),
                        ("blind-index-key", first.BLIND_INDEX_KEY)]:
        path = instance / name
        assert path.read_text().strip() == value
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_generated_secrets_differ_between_instances(tmp_path):
    one = load_config(tmp_path / "one", environ={})
    other = load_config(tmp_path / "other", environ={})
    assert one.SECRET_KEY != other.SECRET_KEY
    assert one.DATA_KEYS != other.DATA_KEYS


def test_secrets_from_the_environment_are_not_written(tmp_path):
    config = load_config(tmp_path, environ={
        "SECRET_KEY": STRONG_SECRET, "OPSPLATFORM_DATA_KEY": PRODUCTION["OPSPLATFORM_DATA_KEY"]})
    assert config.SECRET_KEY == STRONG_SECRET
    assert not (tmp_path / "secret-key").exists()
    assert not (tmp_path / "data-key").exists()


def test_an_empty_secret_file_is_replaced(tmp_path):
    (tmp_path / "secret-key").write_text("\n")
    config = load_config(tmp_path, environ={})
    assert len(config.SECRET_KEY) >= 32


def test_testing_writes_nothing(tmp_path):
    config = load_config(tmp_path, environ={"OPSPLATFORM_ENV": "testing"})
    assert config.TESTING
    assert list(tmp_path.iterdir()) == []


def test_development_cookies_work_over_plain_http(tmp_path):
    config = load_config(tmp_path, environ={})
    assert config.SESSION_COOKIE_SECURE is False
    assert config.SESSION_COOKIE_HTTPONLY is True


def test_upload_limit_is_configurable(tmp_path):
    config = load_config(tmp_path, environ={"OPSPLATFORM_ENV": "testing",
                                            "OPSPLATFORM_UPLOAD_MAX_MB": "5"})
    assert config.UPLOAD_MAX_BYTES == 5 * 1024 * 1024
    assert config.MAX_CONTENT_LENGTH > config.UPLOAD_MAX_BYTES
    with pytest.raises(ConfigurationError, match="OPSPLATFORM_UPLOAD_MAX_MB"):
        load_config(tmp_path, environ={"OPSPLATFORM_ENV": "testing",
                                       "OPSPLATFORM_UPLOAD_MAX_MB": "lots"})


@pytest.mark.parametrize("name", ["staging", "prod", "1"])
def test_unknown_environment_is_refused(tmp_path, name):
    with pytest.raises(ConfigurationError, match="OPSPLATFORM_ENV") as refusal:
        load_config(tmp_path, environ={"OPSPLATFORM_ENV": name})
    assert repr(name) in str(refusal.value)
    assert list(tmp_path.iterdir()) == []


def test_environment_name_ignores_case_and_spaces(tmp_path):
    assert load_config(tmp_path, environ=_production(OPSPLATFORM_ENV=" Production ")).ENV_NAME \
        == "production"


# -- production ----------------------------------------------------------------------------


def test_production_starts_with_strong_secrets(tmp_path):
    config = load_config(tmp_path, environ=_production())
    assert config.ENV_NAME == "production"
    assert config.SECRET_KEY == STRONG_SECRET
    assert PRODUCTION["OPSPLATFORM_DATA_KEY"] == config.DATA_KEYS
    assert list(tmp_path.iterdir()) == []  # nothing generated


def test_production_cookies_are_secure_http_only_and_same_site(tmp_path):
    config = load_config(tmp_path, environ=_production())
    assert config.SESSION_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")
    assert config.REMEMBER_COOKIE_DURATION.total_seconds() == 0
    assert config.WTF_CSRF_SSL_STRICT is True


@pytest.mark.parametrize("secret_key", [
    None,
    "",
    "changeme",
    "short-but-random-Xq9",
    "x" * 64,
    "abcabcabcabcabcabcabcabcabcabcabcabc",
    TestingConfig.SECRET_KEY,
])
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path, secret_key):
    with pytest.raises(ConfigurationError) as refusal:
        load_config(tmp_path, environ=_production(SECRET_KEY=secret_key))
    message = str(refusal.value)
    assert "SECRET_KEY" in message
    assert "OPSPLATFORM_DATA_KEY" not in message
    assert list(tmp_path.iterdir()) == []


def test_production_never_falls_back_to_generated_secrets(tmp_path):
    load_config(tmp_path, environ={})  # a development start leaves secrets in instance/
    with pytest.raises(ConfigurationError) as refusal:
        load_config(tmp_path, environ={"OPSPLATFORM_ENV": "production"})
    assert "SECRET_KEY" in str(refusal.value)
    assert "OPSPLATFORM_DATA_KEY" in str(refusal.value)


@pytest.mark.parametrize("data_key", [None, "", TestingConfig.DATA_KEYS])
def test_production_refuses_a_missing_or_development_data_key(tmp_path, data_key):
    with pytest.raises(ConfigurationError) as refusal:
        load_config(tmp_path, environ=_production(OPSPLATFORM_DATA_KEY=data_key))
    message = str(refusal.value)
    assert "OPSPLATFORM_DATA_KEY" in message
    assert "SECRET_KEY is" not in message
    assert list(tmp_path.iterdir()) == []


def test_production_names_every_problem_at_once(tmp_path):
    with pytest.raises(ConfigurationError) as refusal:
        load_config(tmp_path, environ={"OPSPLATFORM_ENV": "production"})
    message = str(refusal.value)
    assert "SECRET_KEY" in message
    assert "OPSPLATFORM_DATA_KEY" in message
    assert message.startswith("Refusing to start in production")


def test_create_app_refuses_to_start_in_production_without_secrets(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(instance_path=tmp_path, environ={"OPSPLATFORM_ENV": "production"})


def test_production_app_sends_secure_cookies(tmp_path):
    app = create_app(instance_path=tmp_path, environ=_production())
    response = app.test_client().get("/sign-in")
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("index_key", [None, "", TestingConfig.BLIND_INDEX_KEY])
def test_production_refuses_a_missing_or_development_blind_index_key(tmp_path, index_key):
    with pytest.raises(ConfigurationError) as refusal:
        load_config(tmp_path, environ=_production(OPSPLATFORM_BLIND_INDEX_KEY=index_key))
    message = str(refusal.value)
    assert "OPSPLATFORM_BLIND_INDEX_KEY" in message
    assert "OPSPLATFORM_DATA_KEY is" not in message


def test_a_malformed_blind_index_key_stops_the_app_at_start(tmp_path):
    with pytest.raises(ConfigurationError, match="OPSPLATFORM_BLIND_INDEX_KEY"):
        create_app(instance_path=tmp_path,
                   environ=_production(OPSPLATFORM_BLIND_INDEX_KEY="not-base64-32-bytes"))
