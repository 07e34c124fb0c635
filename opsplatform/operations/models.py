from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opsplatform.auth.models import User
from opsplatform.core.db import Base, utcnow
from opsplatform.core.files import StoredFile
from opsplatform.core.permissions import AccessRole
from opsplatform.core.types import str_enum
from opsplatform.core.vocabularies import (
    HandlingCode,
    LabelledEnum,
    TlpLevel,
    with_labels,
)
from opsplatform.organisations.models import Organisation

# The longest text of each field, read by its column, its form, its API schema (and so the
# OpenAPI document) and the domain function that saves it: one limit, every skin.
MAX_OPERATION_CODE_LENGTH = 30
MAX_OPERATION_TITLE_LENGTH = 200
MAX_SUMMARY_LENGTH = 5_000
MAX_OBJECTIVES_LENGTH = 10_000
MAX_PHASE_NAME_LENGTH = 100
MAX_REMARKS_LENGTH = 2_000
MAX_REMINDER_MESSAGE_LENGTH = 2_000
MAX_DOCUMENT_TITLE_LENGTH = 200
MAX_DOCUMENT_DESCRIPTION_LENGTH = 2_000


class PhaseKind(LabelledEnum):
    PLANNING = "planning"
    PRE_OPERATIONAL = "pre_operational"
    OPERATIONAL = "operational"
    FOLLOW_UP = "follow_up"
    POST_OPERATIONAL = "post_operational"
    CLOSED = "closed"


with_labels({
    PhaseKind.PLANNING: _l("Planning"),
    PhaseKind.PRE_OPERATIONAL: _l("Pre-operational / briefing"),
    PhaseKind.OPERATIONAL: _l("Operational"),
    PhaseKind.FOLLOW_UP: _l("Follow-up / investigation"),
    PhaseKind.POST_OPERATIONAL: _l("Post-operational / debriefing"),
    PhaseKind.CLOSED: _l("Closed"),
})(PhaseKind)


class OperationStatus(LabelledEnum):
    PLANNED = "planned"  # being prepared: not yet past its planning and briefing phases
    ACTIVE = "active"
    CLOSED = "closed"


# The phases in which an operation is still being prepared (its status is "planned").
PREPARATION_PHASES = (PhaseKind.PLANNING, PhaseKind.PRE_OPERATIONAL)


with_labels({
    OperationStatus.PLANNED: _l("In preparation"),
    OperationStatus.ACTIVE: _l("Under way"),
    OperationStatus.CLOSED: _l("Closed"),
})(OperationStatus)


class ReportingFrequency(LabelledEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    CUSTOM = "custom"


with_labels({
    ReportingFrequency.DAILY: _l("Daily"),
    ReportingFrequency.WEEKLY: _l("Weekly"),
    ReportingFrequency.CUSTOM: _l("Custom periods"),
})(ReportingFrequency)


class ParticipationStatus(LabelledEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


with_labels({
    ParticipationStatus.INVITED: _l("Invited"),
    ParticipationStatus.ACCEPTED: _l("Taking part"),
    ParticipationStatus.DECLINED: _l("Declined"),
    ParticipationStatus.WITHDRAWN: _l("Withdrawn"),
})(ParticipationStatus)


class OperationRole(LabelledEnum):
    """The roles a person can hold in one operation."""

    COORDINATOR = AccessRole.COORDINATOR.value
    CONTACT_POINT = AccessRole.CONTACT_POINT.value
    OBSERVER = AccessRole.OBSERVER.value


with_labels({
    OperationRole.COORDINATOR: _l("Coordinator (OCU)"),
    OperationRole.CONTACT_POINT: _l("Contact point"),
    OperationRole.OBSERVER: _l("Observer"),
})(OperationRole)


class ReturnKind(LabelledEnum):
    """What an administration reported for a period."""

    NIL = "nil"
    SEIZURES = "seizures"


with_labels({
    ReturnKind.NIL: _l("Nil return"),
    ReturnKind.SEIZURES: _l("Seizures reported"),
})(ReturnKind)


class DocumentCategory(LabelledEnum):
    OPERATIONAL_PLAN = "operational_plan"
    RISK_INDICATORS = "risk_indicators"
    INSTRUCTIONS = "instructions"
    OTHER = "other"


with_labels({
    DocumentCategory.OPERATIONAL_PLAN: _l("Operational plan"),
    DocumentCategory.RISK_INDICATORS: _l("Risk indicators"),
    DocumentCategory.INSTRUCTIONS: _l("Instructions"),
    DocumentCategory.OTHER: _l("Other"),
})(DocumentCategory)


operation_organisers = Table(
    "operation_organisers",
    Base.metadata,
    Column("operation_id", ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True, index=True),
)


class Operation(Base):
    """A joint enforcement operation, such as CATalyst."""

    __tablename__ = "operations"
    __table_args__ = (
        # The list's order, newest first (operations/lists.py).
        Index("ix_operations_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(MAX_OPERATION_CODE_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(MAX_OPERATION_TITLE_LENGTH))
    summary: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    # Lists of SubstanceGroup / TransportMode values.
    substance_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    transport_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    host_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    handling_code: Mapped[HandlingCode] = mapped_column(str_enum(HandlingCode, 8),
                                                        default=HandlingCode.H0)
    tlp: Mapped[TlpLevel] = mapped_column(str_enum(TlpLevel, 20), default=TlpLevel.AMBER)
    reporting_frequency: Mapped[ReportingFrequency] = mapped_column(
        str_enum(ReportingFrequency, 16), default=ReportingFrequency.WEEKLY
    )
    # Days after a reporting period ends by which its return is due.
    report_deadline_days: Mapped[int] = mapped_column(default=2)
    # The span of the phases, kept in step by operations.set_phases (for listing and filters).
    starts_on: Mapped[date | None] = mapped_column(index=True)
    ends_on: Mapped[date | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    host_organisation: Mapped[Organisation] = relationship()
    organisers: Mapped[list[Organisation]] = relationship(
        secondary=operation_organisers, order_by=Organisation.code
    )
    phases: Mapped[list[Phase]] = relationship(
        back_populates="operation", order_by="Phase.position", cascade="all, delete-orphan"
    )
    participations: Mapped[list[Participation]] = relationship(
        back_populates="operation", cascade="all, delete-orphan"
    )
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    def __repr__(self) -> str:
        return f"<Operation {self.code}>"

    def status_on(self, today: date) -> OperationStatus:
        return status_on(today, closed=self.closed_at is not None,
                         under_way_on=self.under_way_on, ends_on=self.ends_on)

    @property
    def under_way_on(self) -> date | None:
        """The day it is under way from: the start of its first phase past preparation
        (usually the operational phase); None if it has none. SQL twin:
        ``lists.under_way_on``."""
        return min((p.starts_on for p in self.phases if p.kind not in PREPARATION_PHASES),
                   default=None)

    def phase_on(self, today: date) -> Phase | None:
        """The phase the calendar is in (the closed phase once the operation is closed).

        Its SQL twin, for lists: ``lists.phase_name_on``."""
        if self.closed_at is not None:
            return next((p for p in self.phases if p.kind is PhaseKind.CLOSED), None)
        return next((p for p in self.phases if p.contains(today)), None)

    @property
    def operational_phase(self) -> Phase | None:
        return next((p for p in self.phases if p.kind is PhaseKind.OPERATIONAL), None)


class Phase(Base):
    __tablename__ = "operation_phases"
    __table_args__ = (UniqueConstraint("operation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[PhaseKind] = mapped_column(str_enum(PhaseKind, 20))
    name: Mapped[str] = mapped_column(String(MAX_PHASE_NAME_LENGTH))
    starts_on: Mapped[date]
    # Only the closing phase may be open-ended.
    ends_on: Mapped[date | None]

    operation: Mapped[Operation] = relationship(back_populates="phases")

    def contains(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


def status_on(today: date, *, closed: bool, under_way_on: date | None,
              ends_on: date | None) -> OperationStatus:
    """An operation's status on ``today``, from plain values (lists read narrow rows, not
    operations): closed once closed early or past its last phase, else planned (in
    preparation) until ``under_way_on`` (``Operation.under_way_on``), else under way.
    Its SQL twin: ``lists.status_filter``."""
    if closed or (ends_on is not None and ends_on < today):
        return OperationStatus.CLOSED
    if under_way_on is None or under_way_on > today:
        return OperationStatus.PLANNED
    return OperationStatus.ACTIVE


class Participation(Base):
    """An organisation's part in an operation, from invitation to withdrawal."""

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("operation_id", "organisation_id"),
        Index("ix_participations_organisation_id_status", "organisation_id", "status"),
        # Counting participants by status per operation (lists, dashboard).
        Index("ix_participations_operation_id_status", "operation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[ParticipationStatus] = mapped_column(
        str_enum(ParticipationStatus, 16), default=ParticipationStatus.INVITED
    )
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None]
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    operation: Mapped[Operation] = relationship(back_populates="participations")
    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    members: Mapped[list[Membership]] = relationship(
        back_populates="participation", cascade="all, delete-orphan"
    )


class Membership(Base):
    """A person's role in one operation, held through their organisation's participation."""

    __tablename__ = "operation_members"
    __table_args__ = (UniqueConstraint("operation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Repeats participation.operation_id so that "one role per person" is a constraint.
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[OperationRole] = mapped_column(str_enum(OperationRole, 20))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    participation: Mapped[Participation] = relationship(back_populates="members")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)


class ReportingPeriod(Base):
    """A slice of the operational phase for which each administration owes a return."""

    __tablename__ = "reporting_periods"
    __table_args__ = (UniqueConstraint("operation_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    deadline_at: Mapped[datetime]
    # A coordinator locks a period once its figures are final: no return is filed or
    # corrected for it any more (operations/compliance.py).
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    operation: Mapped[Operation] = relationship()
    locked_by: Mapped[User | None] = relationship()

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class PeriodReturn(Base):
    """An administration's return for a period: a nil return, or seizures reported."""

    __tablename__ = "period_returns"
    __table_args__ = (
        UniqueConstraint("period_id", "organisation_id"),
        Index("ix_period_returns_operation_id_organisation_id", "operation_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[ReturnKind] = mapped_column(str_enum(ReturnKind, 16))
    seizure_count: Mapped[int | None]
    remarks: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The last correction (each one is in the audit trail with what it changed).
    corrected_at: Mapped[datetime | None]
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    period: Mapped[ReportingPeriod] = relationship()
    organisation: Mapped[Organisation] = relationship()
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    corrected_by: Mapped[User | None] = relationship(foreign_keys=[corrected_by_id])


class Reminder(Base):
    """A coordinator's reminder to an administration that has not reported for a period."""

    __tablename__ = "reporting_reminders"
    __table_args__ = (Index("ix_reporting_reminders_period_id_organisation_id",
                            "period_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"),
                                              index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    message: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    sent_by: Mapped[User] = relationship()


class OperationDocument(Base):
    """A document of the operation (plan, risk indicators, instructions), stored encrypted."""

    __tablename__ = "operation_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"),
                                              index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), unique=True)
    title: Mapped[str] = mapped_column(String(MAX_DOCUMENT_TITLE_LENGTH))
    category: Mapped[DocumentCategory] = mapped_column(str_enum(DocumentCategory, 30))
    description: Mapped[str] = mapped_column(Text, default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    stored_file: Mapped[StoredFile] = relationship(lazy="joined", innerjoin=True)
    uploaded_by: Mapped[User] = relationship()
