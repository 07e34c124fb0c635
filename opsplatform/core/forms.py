"""Form helpers: every form is a Flask-WTF form, so every POST carries a CSRF token."""

from __future__ import annotations

from functools import lru_cache

from flask import render_template
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select, html_params

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


# An option (value, label), or an option group (label, its options).
OptionItem = tuple[str, "str | tuple[tuple[str, str], ...]"]


@lru_cache(maxsize=16)
def _options_html(items: tuple[OptionItem, ...]) -> str:
    html = []
    for first, second in items:
        if isinstance(second, tuple):
            html.append(f'<optgroup label="{escape(first)}">{_options_html(second)}</optgroup>')
        else:
            html.append(f'<option value="{escape(first)}">{escape(second)}</option>')
    return "".join(html)


def _value_and_label(choice: SelectChoice | OptionItem) -> OptionItem:
    if isinstance(choice, SelectChoice):
        return str(choice.value), str(choice.label)
    return choice


class LongSelect(Select):
    """A select of hundreds of fixed options (time zones), its options rendered once.

    WTForms renders each option through html_params, which made the 600 time zones
    most of the profile page's time; here only the chosen one is marked per request.
    The choices are read as given, not through ``iter_choices``, which builds two
    objects per option first: ``SelectChoice``s or ``(value, label)`` pairs, and
    ``(group label, ((value, label), ...))`` for an ``<optgroup>``. A field with groups
    sets ``validate_choice=False`` and leaves the rule to its domain function.
    """

    def __call__(self, field: Field, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        options = _options_html(tuple(map(_value_and_label, field.choices or ())))
        if field.data not in (None, ""):
            chosen = f'<option value="{escape(field.data)}">'
            options = options.replace(chosen, f'<option selected value="{escape(field.data)}">',
                                      1)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


class QuickSelect(Select):
    """WTForms' select, its plain options written directly.

    WTForms writes each option through ``html_params`` and ``Markup.format`` (some
    30 µs an option); the participants page offers each organisation's people, a
    thousand options a page. The markup is the same: ``<option selected value="...">``.
    """

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        return (f'<option {selected}value="{escape(value)}">'
                f"{escape(choice.label or choice.value)}</option>")
