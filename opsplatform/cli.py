"""The ``flask --app wsgi ...`` commands: db upgrade, demo, users create, tokens create."""

from __future__ import annotations

import sys
from functools import wraps
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from opsplatform.core.db import db
from opsplatform.core.errors import DomainError

db_cli = AppGroup("db", help="Database schema.")
users_cli = AppGroup("users", help="Accounts.")
tokens_cli = AppGroup("tokens", help="API tokens.")


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)


def _in_default_locale(command):
    """Translate messages into the default locale: a command has no request to choose one.

    (The app's locale selector reads the request, which a command does not have.)
    """

    @wraps(command)
    def wrapper(*args, **kwargs):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return wrapper


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Migrate the configured database to the newest schema."""
    from opsplatform.core.migrate import upgrade

    with db.engine.begin() as connection:
        upgrade(connection, revision)
    click.echo(f"Database at revision {revision}.")


@click.command("demo")
@with_appcontext
@_in_default_locale
def demo_command() -> None:
    """Load the demo dataset (running it again changes nothing)."""
    from opsplatform.demo import load_demo

    summary = load_demo(password=current_app.config["DEMO_PASSWORD"])
    db.session.commit()
    click.echo(summary)


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@users_cli.command("create")
@click.argument("email")
@click.option("--org", "organisation_code", required=True, help="Organisation code, e.g. KR.")
@click.option("--name", "display_name", help="Display name (default: the e-mail's local part).")
@click.option("--platform-admin", is_flag=True, help="May manage organisations and accounts.")
@click.option("--secretariat", is_flag=True, help="WCO Secretariat: sees every operation.")
@_in_default_locale
def users_create(email, organisation_code, display_name, platform_admin, secretariat) -> None:
    """Create an account; the password is read from a prompt or standard input."""
    from opsplatform.auth.operations import AccountFields, create_user
    from opsplatform.organisations.operations import get_by_code

    password = _read_password()
    try:
        user = create_user(
            AccountFields(
                email=email,
                display_name=display_name or email.split("@")[0],
                organisation=get_by_code(organisation_code),
                is_platform_admin=platform_admin,
                is_secretariat=secretariat,
            ),
            password,
            actor=None,  # the command line acts as the system
        )
    except DomainError as error:
        db.session.rollback()
        _fail(error.message)
    db.session.commit()
    click.echo(f"Created {user.email} ({user.organisation.code}).")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--days", type=click.IntRange(1, 365), default=None,
              help="Lifetime in days (default 90).")
@click.option("--name", default="Command line", show_default=True, help="What the token is for.")
@_in_default_locale
def tokens_create(email: str, days: int | None, name: str) -> None:
    """Create an API token; the token is the last line of the output."""
    from opsplatform.auth.operations import create_token, find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        _fail(f"There is no account with the e-mail address {email}.")
    try:
        token, secret = create_token(user, name, days, actor=None)
    except DomainError as error:
        db.session.rollback()
        _fail(error.message)
    db.session.commit()
    click.echo(f"Token '{token.name}' for {user.email}, valid until "
               f"{token.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only once:")
    click.echo(secret)


def register(app: Flask) -> None:
    for command in (db_cli, users_cli, tokens_cli, demo_command):
        app.cli.add_command(command)
    from opsplatform.core.keys_cli import keys_cli  # keys rotate
    app.cli.add_command(keys_cli)
