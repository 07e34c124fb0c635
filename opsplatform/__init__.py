"""opsplatform: joint customs enforcement operations."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import PROJECT_ROOT, ConfigurationError, load_config

from .core import errors, input_guard, ratelimits, requests, templating
from .core.db import db
from .core.extensions import csrf, login_manager


def create_app(
    overrides: dict[str, Any] | None = None,
    instance_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Flask:
    """Build the application from the environment (and ``overrides``, for tests and tools)."""
    instance_path = Path(instance_path or PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_object(load_config(instance_path, environ))
    app.config.update(overrides or {})
    _check_data_keys(app.config["DATA_KEYS"], app.config["BLIND_INDEX_KEY"])

    from . import models  # noqa: F401  (every mapper known before the first query)

    db.init_app(app)
    ratelimits.init_app(app)  # first: a request over its limit costs nothing more
    # Before CSRF and every other hook: none of them, nor any view, reads what it refuses.
    input_guard.init_app(app)
    if app.config["PROXY_COUNT"]:
        # Behind N trusted proxies: take the client address and scheme from their headers
        # (outermost, so that everything inside, the refusal cache too, sees the client).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"])
    csrf.init_app(app)
    templating.init_app(app)
    login_manager.init_app(app)

    requests.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _check_data_keys(value: str, index_value: str) -> None:
    """Refuse to start with a malformed OPSPLATFORM_DATA_KEY or OPSPLATFORM_BLIND_INDEX_KEY
    rather than fail at first use."""
    from .core.crypto import DataKeyError, Keyring

    try:
        Keyring.parse(value, index_value)
    except DataKeyError as error:
        raise ConfigurationError(str(error)) from error


def _register_blueprints(app: Flask) -> None:
    from .api import bp as api_bp
    from .auth.admin_views import bp as accounts_bp
    from .auth.views import bp as auth_bp
    from .main.views import bp as main_bp
    from .messaging.views import bp as messaging_bp
    from .operations.views import bp as operations_bp
    from .organisations.views import bp as organisations_bp

    for blueprint in (main_bp, auth_bp, accounts_bp, organisations_bp, operations_bp,
                      messaging_bp, api_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from .cli import register

    register(app)
