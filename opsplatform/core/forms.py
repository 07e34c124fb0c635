"""Form helpers: every form is a Flask-WTF form, so every POST carries a CSRF token."""

from __future__ import annotations

from flask import render_template
from flask_wtf import FlaskForm
from wtforms import Field

from .errors import DomainError

# A form that failed to save is answered with this status, so that the request's
# transaction is rolled back (see core/requests.py) while the page keeps the input.
INVALID_FORM_STATUS = 422


class BaseForm(FlaskForm):
    """The base of every form of the platform."""

    def add_domain_error(self, error: DomainError) -> None:
        """Show a rule's refusal next to the field it concerns, or above the form."""
        field: Field | None = getattr(self, error.field, None) if error.field else None
        if isinstance(field, Field):
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


def render_form(template: str, form: FlaskForm, **context):
    """Render a form page: blank on GET, or again with its errors and the user's input.

    Reaching this after a submission means it failed, hence the error status.
    """
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template(template, form=form, **context), status
