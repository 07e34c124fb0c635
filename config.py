"""Configuration read from the environment.

Everything that differs between a laptop and production comes from environment
variables; nothing here holds a real secret. In development the secrets are
generated once into ``instance/`` so that a fresh checkout just runs; in
production the app refuses to start unless they are set and strong.
"""

from __future__ import annotations

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"

# Values that must never protect a production installation.
KNOWN_WEAK_SECRETS = frozenset(
    {"", "dev", "development", "secret", "changeme", "change-me", "test", "testing"}
)
MIN_SECRET_KEY_LENGTH = 32
# A long key made of few characters ("x" * 40, "abcabc...") is not random.
MIN_SECRET_KEY_DISTINCT_CHARACTERS = 10


class ConfigurationError(RuntimeError):
    """The environment does not describe a configuration the app may start with."""


class BaseConfig:
    ENV_NAME = "development"
    TESTING = False

    DATABASE_URL = ""
    SECRET_KEY = ""
    # Comma-separated list of base64 keys; the first encrypts, all decrypt.
    DATA_KEYS = ""
    # One base64 key for blind indexes (core/blind_index.py), never rotated with the data keys.
    BLIND_INDEX_KEY = ""

    # Sessions: HTTP-only, SameSite, short-lived; see opsplatform/auth/sessions.py.
    SESSION_COOKIE_NAME = "opsplatform_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    # The cookie is sent again only when the session changes (at most once a minute while
    # in use, auth/sessions.py), not signed and sent with every response: both lifetimes
    # are checked on the server against the times the session holds.
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_SSL_STRICT = True

    # Redis, when set, holds what app servers must share: the rate-limit counters.
    REDIS_URL = ""

    # Rate limits (Flask-Limiter; opsplatform/core/ratelimits.py). Counters live in Redis
    # when REDIS_URL is set, so that every app server counts together; in memory otherwise.
    RATELIMIT_STRATEGY = "moving-window"
    # Only a refusal says when to come back (Retry-After); see core/ratelimits.py.
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_KEY_PREFIX = "opsplatform"
    # If Redis goes away, each process counts on its own rather than failing every request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Requests each API token may make (and each address without a valid token).
    API_RATE_LIMIT = "600 per minute"

    # Sign-in (opsplatform/auth/throttling.py). Every budget is checked before any password
    # is hashed, and answered with 429 and Retry-After once spent.
    # Sign-in attempts per address, right or wrong: a short burst, then 20 a minute
    # (bench/flood.py: a larger burst let a flood stall the workers with argon2).
    SIGN_IN_REQUEST_LIMIT = "2 per 10 seconds; 20 per minute"
    # Password checks (argon2: tens of ms of every core) running at once in one process;
    # more are refused at once (429), so that a flood never holds every thread.
    SIGN_IN_CHECKS_AT_ONCE = 1
    SIGN_IN_FAILURES_PER_ADDRESS = "30 per 15 minutes"  # over all accounts
    SIGN_IN_FAILURES_GLOBAL = "300 per 15 minutes"  # over the platform; known browsers pass
    SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS = "10 per 15 minutes"
    # One account from anywhere: past the free failures (within a day), each failure makes
    # the next attempt wait twice as long as the last, up to the cap; known browsers pass.
    SIGN_IN_ACCOUNT_FREE_FAILURES = 10
    SIGN_IN_ACCOUNT_DELAY_CAP = timedelta(minutes=5)
    SIGN_IN_ACCOUNT_FAILURE_WINDOW = timedelta(days=1)
    # A browser that signed in to an account is recognised by a signed cookie for this long.
    KNOWN_DEVICE_LIFETIME = timedelta(days=180)

    # argon2 parameters: "default" (argon2-cffi's, RFC 9106 low-memory) or "cheapest".
    PASSWORD_HASHING = "default"

    API_TOKEN_DEFAULT_DAYS = 90
    API_TOKEN_MAX_DAYS = 365

    UPLOAD_MAX_BYTES = 25 * 1024 * 1024
    # Each file attached to a message (OPSPLATFORM_ATTACHMENT_MAX_MB).
    ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024

    # E-mail notifications (messaging/notifications.py): off while SMTP_HOST is empty.
    SMTP_HOST = ""
    SMTP_PORT = 587
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    SMTP_FROM = "opsplatform@localhost"
    SMTP_STARTTLS = True
    SMTP_TIMEOUT_SECONDS = 10
    # Where people reach the platform, for links in e-mails ("https://ops.example.org");
    # never taken from a request's Host header in production.
    PUBLIC_URL = ""

    # How many reverse proxies (load balancer, TLS terminator) sit in front of the app.
    PROXY_COUNT = 0

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en",)

    DEMO_PASSWORD = "demo-password"

    @property
    def MAX_CONTENT_LENGTH(self) -> int:  # noqa: N802 - Flask's name
        # Room for the form fields around the largest file we accept.
        return max(self.UPLOAD_MAX_BYTES, self.ATTACHMENT_MAX_BYTES) + 1024 * 1024


class DevelopmentConfig(BaseConfig):
    # The development server speaks plain HTTP on 127.0.0.1.
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_SSL_STRICT = False


class TestingConfig(DevelopmentConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production-use"
    DATA_KEYS = base64.urlsafe_b64encode(b"t" * 32).decode()
    BLIND_INDEX_KEY = base64.urlsafe_b64encode(b"i" * 32).decode()
    # The suite hashes thousands of passwords; their strength is not what it tests.
    PASSWORD_HASHING = "cheapest"
    # Tests sign several people in from 127.0.0.1 within seconds; the throttling tests
    # set the production limit themselves (tests/auth/test_throttling.py).
    SIGN_IN_REQUEST_LIMIT = "100 per 10 seconds"


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _read_or_create_secret(path: Path, make) -> str:
    """Return the secret stored at ``path``, creating it on first use (development only).

    Only the owner may read the file. An empty file (an interrupted first start) is
    replaced; when two processes start at once, the second reads what the first wrote.
    """
    if path.exists():
        value = path.read_text().strip()
        if value:
            return value
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip() or value
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def new_data_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _is_weak_secret_key(value: str) -> bool:
    return (
        value in KNOWN_WEAK_SECRETS
        or value == TestingConfig.SECRET_KEY
        or len(value) < MIN_SECRET_KEY_LENGTH
        or len(set(value)) < MIN_SECRET_KEY_DISTINCT_CHARACTERS
    )


def _check_production_secrets(config: BaseConfig) -> None:
    problems = []
    if _is_weak_secret_key(config.SECRET_KEY):
        problems.append(
            f"SECRET_KEY is missing or a development value "
            f"(set at least {MIN_SECRET_KEY_LENGTH} random characters)"
        )
    if not config.DATA_KEYS or config.DATA_KEYS == TestingConfig.DATA_KEYS:
        problems.append("OPSPLATFORM_DATA_KEY is missing or a development value")
    if not config.BLIND_INDEX_KEY or config.BLIND_INDEX_KEY == TestingConfig.BLIND_INDEX_KEY:
        problems.append("OPSPLATFORM_BLIND_INDEX_KEY is missing or a development value")
    if problems:
        raise ConfigurationError("Refusing to start in production: " + "; ".join(problems) + ".")


def _read_smtp(config: BaseConfig, environ) -> None:
    """The SMTP server for notifications and the public URL their links start with."""
    config.SMTP_HOST = environ.get("OPSPLATFORM_SMTP_HOST", config.SMTP_HOST).strip()
    if "OPSPLATFORM_SMTP_PORT" in environ:
        try:
            config.SMTP_PORT = int(environ["OPSPLATFORM_SMTP_PORT"])
        except ValueError as exc:
            raise ConfigurationError("OPSPLATFORM_SMTP_PORT must be a whole number.") from exc
    config.SMTP_USER = environ.get("OPSPLATFORM_SMTP_USER", config.SMTP_USER)
    config.SMTP_PASSWORD = environ.get("OPSPLATFORM_SMTP_PASSWORD", config.SMTP_PASSWORD)
    config.SMTP_FROM = environ.get("OPSPLATFORM_SMTP_FROM", config.SMTP_FROM).strip()
    if "OPSPLATFORM_SMTP_STARTTLS" in environ:
        value = environ["OPSPLATFORM_SMTP_STARTTLS"].strip().lower()
        if value not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            raise ConfigurationError("OPSPLATFORM_SMTP_STARTTLS must be true or false.")
        config.SMTP_STARTTLS = value in {"1", "true", "yes", "on"}
    config.PUBLIC_URL = environ.get("OPSPLATFORM_PUBLIC_URL", config.PUBLIC_URL).strip()
    if config.PUBLIC_URL and not config.PUBLIC_URL.startswith(("https://", "http://")):
        raise ConfigurationError("OPSPLATFORM_PUBLIC_URL must start with https:// or http://.")
    if isinstance(config, ProductionConfig) and config.SMTP_HOST and not config.PUBLIC_URL:
        raise ConfigurationError("Refusing to start in production: OPSPLATFORM_SMTP_HOST is "
                                 "set but OPSPLATFORM_PUBLIC_URL (the links in e-mails) is not.")


def load_config(instance_path: Path | None = None, environ=None) -> BaseConfig:
    """Build the configuration object for the environment named by OPSPLATFORM_ENV."""
    environ = os.environ if environ is None else environ
    instance_path = Path(instance_path or DEFAULT_INSTANCE_PATH)
    env_name = environ.get("OPSPLATFORM_ENV", "development").strip().lower()
    if env_name not in CONFIGS:
        raise ConfigurationError(
            f"OPSPLATFORM_ENV must be one of {', '.join(sorted(CONFIGS))}, not {env_name!r}."
        )
    config = CONFIGS[env_name]()

    config.DATABASE_URL = environ.get("DATABASE_URL") or sqlite_url(
        instance_path / "opsplatform.sqlite"
    )
    config.SECRET_KEY = environ.get("SECRET_KEY", config.SECRET_KEY)
    config.DATA_KEYS = environ.get("OPSPLATFORM_DATA_KEY", config.DATA_KEYS)
    config.BLIND_INDEX_KEY = environ.get("OPSPLATFORM_BLIND_INDEX_KEY", config.BLIND_INDEX_KEY)
    if "OPSPLATFORM_UPLOAD_MAX_MB" in environ:
        try:
            config.UPLOAD_MAX_BYTES = int(environ["OPSPLATFORM_UPLOAD_MAX_MB"]) * 1024 * 1024
        except ValueError as exc:
            raise ConfigurationError("OPSPLATFORM_UPLOAD_MAX_MB must be a whole number.") from exc
    if "OPSPLATFORM_PROXY_COUNT" in environ:
        try:
            config.PROXY_COUNT = int(environ["OPSPLATFORM_PROXY_COUNT"])
        except ValueError as exc:
            raise ConfigurationError("OPSPLATFORM_PROXY_COUNT must be a whole number.") from exc
    if "OPSPLATFORM_ATTACHMENT_MAX_MB" in environ:
        try:
            config.ATTACHMENT_MAX_BYTES = (int(environ["OPSPLATFORM_ATTACHMENT_MAX_MB"])
                                           * 1024 * 1024)
        except ValueError as exc:
            raise ConfigurationError(
                "OPSPLATFORM_ATTACHMENT_MAX_MB must be a whole number.") from exc
    _read_smtp(config, environ)
    config.REDIS_URL = environ.get("REDIS_URL", config.REDIS_URL).strip()
    if "OPSPLATFORM_DEMO_PASSWORD" in environ:
        config.DEMO_PASSWORD = environ["OPSPLATFORM_DEMO_PASSWORD"]

    if isinstance(config, ProductionConfig):
        _check_production_secrets(config)
    elif isinstance(config, DevelopmentConfig) and not config.TESTING:
        if not config.SECRET_KEY:
            config.SECRET_KEY = _read_or_create_secret(
                instance_path / "secret-key", lambda: secrets.token_urlsafe(48)
            )
        if not config.DATA_KEYS:
            config.DATA_KEYS = _read_or_create_secret(instance_path / "data-key", new_data_key)
        if not config.BLIND_INDEX_KEY:
            config.BLIND_INDEX_KEY = _read_or_create_secret(instance_path / "blind-index-key",
                                                            new_data_key)
    return config
