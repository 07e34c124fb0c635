"""The message forms: compose, reply. The rules (who may be addressed, what an alert
must hold, which kinds a person may send) are ``operations.py``'s; the forms read what
was typed and show the rules' refusals next to the fields they name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from opsplatform.core.errors import DomainError
from opsplatform.core.forms import BaseForm
from opsplatform.core.vocabularies import HandlingCode, TlpLevel, TransportMode

from .models import (
    MAX_BODY_LENGTH,
    MAX_COMMODITY_LENGTH,
    MAX_CONSIGNEE_LENGTH,
    MAX_IDENTIFIER_LENGTH,
    MAX_SUBJECT_LENGTH,
    Audience,
    InformationAccuracy,
    MessagePriority,
    SourceReliability,
)
from .operations import AlertFields, MessageFields

SUBJECT_HINT = _l("Seen in every list and search: no names, numbers or other personal "
                  "data. Put those in the body, which is stored encrypted.")
BODY_HINT = _l("Markdown: **bold**, *italic*, lists with - or 1., links as [text](https://…). "
               "No HTML.")


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes, one per choice (easier than a multi-select, with a keyboard and on phones)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        # Who may be addressed is the domain's rule, whose message names the codes.
        pass


def _not_evaluated(choices):
    return [SelectChoice("", _l("Not evaluated")), *choices]


class ComposeForm(BaseForm):
    subject = StringField(_l("Subject"), validators=[
        DataRequired(_l("Give the message a subject.")), Length(max=MAX_SUBJECT_LENGTH)],
        description=SUBJECT_HINT)
    body = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Write the message.")), Length(max=MAX_BODY_LENGTH)],
        description=BODY_HINT)
    kind = SelectField(_l("Kind"))
    priority = SelectField(_l("Priority"), choices=MessagePriority.choices(),
                           default=MessagePriority.ROUTINE.value,
                           description=_l("Urgent and flash messages are also announced by "
                                          "e-mail (without subject or text)."))
    handling_code = SelectField(_l("Handling code"), choices=HandlingCode.choices())
    tlp = SelectField(_l("TLP level"), choices=TlpLevel.choices())
    source_reliability = SelectField(_l("Source reliability"),
                                     choices=_not_evaluated(SourceReliability.choices()),
                                     validators=[Optional()])
    information_accuracy = SelectField(_l("Information accuracy"),
                                       choices=_not_evaluated(InformationAccuracy.choices()),
                                       validators=[Optional()])
    audience = RadioField(_l("Send to"), choices=Audience.choices(),
                          default=Audience.CHOSEN.value)
    organisations = MultiCheckboxField(
        _l("Administrations"),
        description=_l("For “Chosen administrations”. Observers receive a message only "
                       "when chosen."))
    requires_ack = BooleanField(_l("Ask each administration to acknowledge it"))
    # An alert's shipment.
    alert_tracking_number = StringField(_l("Tracking number"), validators=[
        Optional(), Length(max=MAX_IDENTIFIER_LENGTH)])
    alert_air_waybill = StringField(_l("Air waybill"), validators=[
        Optional(), Length(max=MAX_IDENTIFIER_LENGTH)],
        description=_l("Such as 176-12345675"))
    alert_container_number = StringField(_l("Container number"), validators=[
        Optional(), Length(max=MAX_IDENTIFIER_LENGTH)], description=_l("Such as MSCU1234566"))
    alert_transport_mode = SelectField(
        _l("Transport mode"), choices=[SelectChoice("", _l("Not given")), *TransportMode.choices()],
        validators=[Optional()])
    alert_route_countries = StringField(
        _l("Route"), validators=[Optional(), Length(max=100)],
        description=_l("Country codes from origin to destination, such as NL DE KR"))
    alert_commodity = StringField(_l("Commodity"), validators=[
        Optional(), Length(max=MAX_COMMODITY_LENGTH)])
    alert_expected_arrival = DateField(_l("Expected arrival"), validators=[Optional()])
    alert_consignee = StringField(_l("Consignee"), validators=[
        Optional(), Length(max=MAX_CONSIGNEE_LENGTH)])
    attachments = MultipleFileField(_l("Attachments"))

    ALERT_FIELDS = ("tracking_number", "air_waybill", "container_number", "transport_mode",
                    "route_countries", "commodity", "expected_arrival", "consignee")

    def alert_fields(self):
        return [getattr(self, f"alert_{name}") for name in self.ALERT_FIELDS]

    def message_fields(self) -> MessageFields:
        alert = None
        if self.kind.data == "alert":
            alert = AlertFields(
                tracking_number=self.alert_tracking_number.data,
                air_waybill=self.alert_air_waybill.data,
                container_number=self.alert_container_number.data,
                transport_mode=self.alert_transport_mode.data or None,
                route_countries=(self.alert_route_countries.data or "").replace(",", " ")
                .split(),
                commodity=self.alert_commodity.data,
                expected_arrival=self.alert_expected_arrival.data,
                consignee=self.alert_consignee.data)
        audience = self.audience.data or Audience.CHOSEN.value
        return MessageFields(
            subject=self.subject.data or "", body=self.body.data or "",
            kind=self.kind.data or "", priority=self.priority.data or "",
            handling_code=self.handling_code.data or None, tlp=self.tlp.data or None,
            audience=audience,
            organisations=list(self.organisations.data or [])
            if audience == Audience.CHOSEN.value else [],
            requires_ack=bool(self.requires_ack.data),
            source_reliability=self.source_reliability.data or None,
            information_accuracy=self.information_accuracy.data or None, alert=alert)

    def add_domain_error(self, error: DomainError) -> None:
        """Errors of an alert's fields (``alert.commodity``) go next to ``alert_commodity``;
        an empty alert's next to its first field."""
        if error.field == "alert":
            error.field = "alert_tracking_number"
        elif error.field == "file":
            error.field = "attachments"
        elif error.field and error.field.startswith("alert."):
            error.field = "alert_" + error.field.removeprefix("alert.")
        super().add_domain_error(error)


class ReplyForm(BaseForm):
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=MAX_SUBJECT_LENGTH)],
                          description=_l("Leave it empty for “Re:” and the subject answered. "
                                         "No personal data."))
    body = TextAreaField(_l("Reply"), validators=[
        DataRequired(_l("Write the reply.")), Length(max=MAX_BODY_LENGTH)],
        description=BODY_HINT)
    priority = SelectField(_l("Priority"), choices=MessagePriority.choices(),
                           default=MessagePriority.ROUTINE.value)
    organisations = MultiCheckboxField(
        _l("Also send to"),
        description=_l("The reply goes to the administration that sent the message; add "
                       "others taking part if they need it."))
    requires_ack = BooleanField(_l("Ask each administration to acknowledge it"))

    def message_fields(self, handling_code: str, tlp: str) -> MessageFields:
        return MessageFields(
            subject=self.subject.data or "", body=self.body.data or "",
            priority=self.priority.data or "", handling_code=handling_code, tlp=tlp,
            organisations=list(self.organisations.data or []),
            requires_ack=bool(self.requires_ack.data))
