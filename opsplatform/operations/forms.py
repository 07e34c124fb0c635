from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from opsplatform.core.forms import BaseForm, QuickSelect
from opsplatform.core.vocabularies import (
    HandlingCode,
    SubstanceGroup,
    TlpLevel,
    TransportMode,
)

from .models import (
    MAX_DOCUMENT_DESCRIPTION_LENGTH,
    MAX_DOCUMENT_TITLE_LENGTH,
    MAX_OBJECTIVES_LENGTH,
    MAX_OPERATION_CODE_LENGTH,
    MAX_OPERATION_TITLE_LENGTH,
    MAX_PHASE_NAME_LENGTH,
    MAX_REMARKS_LENGTH,
    MAX_REMINDER_MESSAGE_LENGTH,
    MAX_SUMMARY_LENGTH,
    OperationRole,
    PhaseKind,
    ReportingFrequency,
)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier to use than a multi-select, with a keyboard and on phones."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PlanForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(),
                                                Length(max=MAX_OPERATION_CODE_LENGTH)],
                       description=_l("Short and unique, such as CATALYST-3"))
    title = StringField(_l("Title"), validators=[DataRequired(),
                                                  Length(max=MAX_OPERATION_TITLE_LENGTH)])
    summary = TextAreaField(_l("Summary"),
                            validators=[Optional(), Length(max=MAX_SUMMARY_LENGTH)])
    objectives = TextAreaField(_l("Objectives"),
                               validators=[Optional(), Length(max=MAX_OBJECTIVES_LENGTH)])
    host = SelectField(_l("Host administration"), validators=[DataRequired()])
    organisers = MultiCheckboxField(_l("Organising organisations"),
                                    description=_l("They take part from the start."))
    substance_groups = MultiCheckboxField(_l("Target substance groups"),
                                          choices=SubstanceGroup.choices())
    transport_modes = MultiCheckboxField(_l("Target transport channels"),
                                         choices=TransportMode.choices())
    handling_code = SelectField(_l("Default handling code"), choices=HandlingCode.choices())
    tlp = SelectField(_l("Default TLP level"), choices=TlpLevel.choices(),
                      default=TlpLevel.AMBER.value)
    reporting_frequency = SelectField(_l("Reporting periods"),
                                      choices=ReportingFrequency.choices(),
                                      default=ReportingFrequency.WEEKLY.value)
    report_deadline_days = IntegerField(
        _l("Returns due (days after a period ends)"), default=2,
        validators=[InputRequired(), NumberRange(0, 30)])


class NewOperationForm(PlanForm):
    planning_starts_on = DateField(
        _l("Planning starts on"), validators=[DataRequired()],
        description=_l("The usual phases are laid out from this date; adjust them next."))


class PhaseEntryForm(Form):
    kind = SelectField(_l("Kind"), choices=[SelectChoice("", "—"), *PhaseKind.choices()],
                       validators=[Optional()])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=MAX_PHASE_NAME_LENGTH)])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    remove = BooleanField(_l("Remove"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What the rules say of this phase as a whole (its place, its dates together).
        self.row_errors: list[str] = []

    @property
    def is_blank(self) -> bool:
        return not (self.kind.data or self.name.data or self.starts_on.data or self.ends_on.data)


class PhasesForm(BaseForm):
    phases = FieldList(FormField(PhaseEntryForm), min_entries=1)


class InviteForm(BaseForm):
    organisation = SelectField(_l("Organisation to invite"), validators=[DataRequired()],
                               widget=QuickSelect())


class MemberForm(BaseForm):
    # One per organisation on the participants page: its options written quickly.
    user = SelectField(_l("Person"), coerce=int, validators=[DataRequired()],
                       widget=QuickSelect())
    role = SelectField(_l("Role"), choices=OperationRole.choices(),
                       default=OperationRole.CONTACT_POINT.value, widget=QuickSelect())


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=OperationRole.choices())


# -- reporting: returns, reminders, custom periods (views/compliance.py) ----------------------

from wtforms import RadioField  # noqa: E402  (appended with the reporting forms)

from opsplatform.core.db import MAX_ID  # noqa: E402

from .models import ReturnKind  # noqa: E402


def _optional_int(value) -> int | None:
    """Coerce a select's value to an id, an empty or impossible one to None (then "required")."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


class RequiredWithSeizures(Optional):
    """Needed only with "Seizures reported" (compliance._checked_count says so); the page
    then says when it is needed instead of calling it optional."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_flags = {**self.field_flags, "conditional": True}


class ReturnCorrectionForm(BaseForm):
    """What a return says: nothing seized, or how many seizures (prefixed per return)."""

    kind = RadioField(_l("Return"), choices=ReturnKind.choices(),
                      validators=[InputRequired(message=_l("Choose what you are reporting."))])
    seizure_count = IntegerField(_l("Number of seizures"),
                                 validators=[RequiredWithSeizures(),
                                             NumberRange(min=1, max=1_000_000)],
                                 description=_l("Needed with “Seizures reported”; leave it "
                                                "empty for a nil return."))
    remarks = TextAreaField(_l("Remarks"),
                            validators=[Optional(), Length(max=MAX_REMARKS_LENGTH)])


class ReturnForm(ReturnCorrectionForm):
    """A contact point's return for one period."""

    # Choices are the started periods not yet reported; the period itself is checked by
    # compliance.file_return, so that a stale page gets its clear message, not "invalid choice".
    period = SelectField(_l("Reporting period"), coerce=_optional_int, validate_choice=False,
                         validators=[DataRequired(message=_l("Choose a reporting period."))])


class ReminderForm(BaseForm):
    """Remind administrations that have not reported for one period (prefixed per period)."""

    # Checked by compliance.send_reminders, which names the problem if one has reported since.
    organisations = MultiCheckboxField(_l("Administrations that have not reported"),
                                       coerce=int, validate_choice=False)
    message = TextAreaField(_l("Message"),
                            validators=[Optional(), Length(max=MAX_REMINDER_MESSAGE_LENGTH)])
    scope = SelectField(choices=[SelectChoice("all"), SelectChoice("selected")], default="all")


class PeriodEntryForm(Form):
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    remove = BooleanField(_l("Remove"))

    @property
    def is_blank(self) -> bool:
        return not (self.starts_on.data or self.ends_on.data)


class PeriodsForm(BaseForm):
    # Not named "periods": compliance.set_custom_periods reports on field "periods", which
    # then shows above the form instead of inside the list of rows.
    rows = FieldList(FormField(PeriodEntryForm), min_entries=1)


# -- documents (appended here so the imports above stay untouched by concurrent edits) --------

from flask_wtf.file import FileField, FileRequired  # noqa: E402

from .models import DocumentCategory  # noqa: E402


class DocumentForm(BaseForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to upload."))])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=MAX_DOCUMENT_TITLE_LENGTH)],
                        description=_l("Leave it empty to use the file name."))
    category = SelectField(_l("Kind of document"), choices=DocumentCategory.choices(),
                           default=DocumentCategory.OPERATIONAL_PLAN.value)
    description = TextAreaField(_l("Description"), validators=[
                                    Optional(), Length(max=MAX_DOCUMENT_DESCRIPTION_LENGTH)],
                                description=_l("What it contains and who it is for."))
