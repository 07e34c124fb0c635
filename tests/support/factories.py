"""Data for a test, made through the domain functions so that it obeys the platform's rules.

Call them inside ``with in_app():``; each returns the object it made, flushed (ids set).
Codes, names and e-mail addresses are unique within the run, so a test never collides
with the demo data or with what another factory call made. Who acts is explicit
(``actor=``), as in the domain functions; where a factory can pick someone sensible
it says so.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from sqlalchemy import select

from opsplatform.auth.models import ApiToken, User
from opsplatform.auth.operations import AccountFields, create_token, create_user
from opsplatform.core.db import db
from opsplatform.operations import compliance, participants
from opsplatform.operations.models import (
    Membership,
    Operation,
    OperationRole,
    Participation,
    ParticipationStatus,
    PeriodReturn,
    ReportingPeriod,
    ReturnKind,
)
from opsplatform.operations.operations import (
    PhaseFields,
    PlanFields,
    create_operation,
    phase_template,
)
from opsplatform.organisations.models import Organisation, OrganisationKind, WcoRegion
from opsplatform.organisations.operations import OrganisationFields, create_organisation

PASSWORD = "a factory-made passphrase"
_numbers = count(1)
# The template's planning and pre-operational phases last 70 days together.
_BEFORE_OPERATIONAL = timedelta(days=70)


def _next() -> int:
    return next(_numbers)


def organisation(*, kind: OrganisationKind = OrganisationKind.MEMBER_ADMINISTRATION,
                 code: str | None = None, name: str | None = None,
                 country_code: str = "LU", wco_region: WcoRegion = WcoRegion.EUROPE,
                 is_active: bool = True) -> Organisation:
    """An organisation (a member administration unless ``kind`` says otherwise)."""
    code = code or f"ORG-{_next()}"
    member = kind is OrganisationKind.MEMBER_ADMINISTRATION
    return create_organisation(OrganisationFields(
        code=code, name=name or f"Organisation {code}", kind=kind,
        country_code=country_code if member else None, wco_region=wco_region if member else None,
        is_active=is_active), actor=None)


_new_organisation = organisation  # for the factories below whose argument has its name


def user(*, organisation: Organisation | None = None, email: str | None = None,
         display_name: str | None = None, password: str = PASSWORD,
         is_secretariat: bool = False, is_platform_admin: bool = False,
         is_active: bool = True) -> User:
    """An account that can sign in with ``password`` (in a new organisation unless given)."""
    number = _next()
    if organisation is None:
        kind = (OrganisationKind.WCO_SECRETARIAT if is_secretariat
                else OrganisationKind.MEMBER_ADMINISTRATION)
        organisation = _new_organisation(kind=kind)
    return create_user(AccountFields(
        email=email or f"person{number}@factory.example.org",
        display_name=display_name or f"Person {number}", organisation=organisation,
        is_platform_admin=is_platform_admin, is_secretariat=is_secretariat,
        is_active=is_active), password, actor=None)


def secretariat() -> User:
    """Someone of the WCO Secretariat: who plans operations and invites to them."""
    return user(is_secretariat=True)


def operation(*, actor: User, host: Organisation | None = None,
              organisers: list[Organisation] | None = None, code: str | None = None,
              title: str | None = None, phases: list[PhaseFields] | None = None,
              operational_starts_on: date | None = None, **plan) -> Operation:
    """An operation planned by ``actor``, its host (and organisers) taking part.

    Its phases are ``phases``, or the usual cycle laid out so that the operational phase
    (28 days, weekly periods) starts on ``operational_starts_on``: by default 14 days
    ago, so that periods 1 and 2 are over, 3 is under way and 4 has not started.
    ``plan`` passes other PlanFields (``reporting_frequency=``, ``tlp=``...).
    """
    code = code or f"OP-{_next()}"
    if phases is None:
        operational = operational_starts_on or date.today() - timedelta(days=14)
        phases = phase_template(operational - _BEFORE_OPERATIONAL)
    return create_operation(PlanFields(
        code=code, title=title or f"Operation {code}",
        host=host or organisation(), organisers=organisers or [], **plan),
        actor=actor, phases=phases)


def participation(operation: Operation, organisation: Organisation | None = None, *,
                  status: ParticipationStatus | str = ParticipationStatus.ACCEPTED,
                  actor: User, responder: User | None = None) -> Participation:
    """``organisation`` (a new member administration unless given) invited by ``actor``, and
    then, by ``status``: left invited, accepted, declined or withdrawn.

    An answer is given by ``responder`` (someone of the organisation; who accepts becomes
    its contact point). Accepted without a responder, it takes part as a host does, with
    nobody named yet; declined without one, a new person of the organisation answers.
    """
    status = ParticipationStatus(status)
    organisation = organisation or _new_organisation()
    invited = participants.invite(operation, organisation, actor=actor)
    if status is ParticipationStatus.ACCEPTED and responder is None:
        participants.ensure_taking_part(operation, [organisation], actor)
    elif status in (ParticipationStatus.ACCEPTED, ParticipationStatus.DECLINED,
                    ParticipationStatus.WITHDRAWN):
        answer = responder or user(organisation=organisation)
        participants.respond_to_invitation(
            invited, accept=status is not ParticipationStatus.DECLINED, actor=answer)
    if status is ParticipationStatus.WITHDRAWN:
        participants.withdraw_participation(invited, actor=actor)
    return invited


def membership(participation: Participation, person: User | None = None,
               role: OperationRole | str = OperationRole.CONTACT_POINT, *,
               actor: User) -> Membership:
    """A role in the operation for ``person`` (a new person of the organisation unless given)."""
    person = person or user(organisation=participation.organisation)
    return participants.add_member(participation, person, OperationRole(role), actor=actor)


def member(operation: Operation, role: OperationRole | str = OperationRole.CONTACT_POINT, *,
           actor: User, organisation: Organisation | None = None) -> User:
    """A new person with ``role`` in ``operation``, of ``organisation`` (which takes part,
    invited and accepted if it did not yet; a new member administration unless given)."""
    taking_part = None
    if organisation is not None:
        taking_part = db.session.scalar(select(Participation).where(
            Participation.operation_id == operation.id,
            Participation.organisation_id == organisation.id,
            Participation.status == ParticipationStatus.ACCEPTED))
    taking_part = taking_part or participation(operation, organisation, actor=actor)
    return membership(taking_part, role=role, actor=actor).user


def periods(operation: Operation) -> list[ReportingPeriod]:
    """The operation's reporting periods in order (its phases and frequency made them)."""
    return list(db.session.scalars(select(ReportingPeriod).where(
        ReportingPeriod.operation_id == operation.id).order_by(ReportingPeriod.starts_on)))


def custom_periods(operation: Operation, spans: list[tuple[date, date]], *,
                   actor: User) -> list[ReportingPeriod]:
    """Periods drawn by hand (the operation's reporting frequency must be custom)."""
    compliance.set_custom_periods(operation, spans, actor=actor)
    return periods(operation)


def period_return(participation: Participation, period: ReportingPeriod, *, actor: User,
                  kind: ReturnKind | str = ReturnKind.NIL, seizure_count: int | None = None,
                  remarks: str = "") -> PeriodReturn:
    """``participation``'s return for ``period``, filed by ``actor`` (seizures need a count)."""
    kind = ReturnKind(kind)
    if kind is ReturnKind.SEIZURES and seizure_count is None:
        seizure_count = 1
    return compliance.file_return(participation.operation, participation, period, kind=kind,
                                  actor=actor, seizure_count=seizure_count, remarks=remarks)


def api_token(owner: User, *, name: str = "tests", days: int = 1) -> tuple[ApiToken, str]:
    """An API token of ``owner``, created by its owner, and its secret."""
    return create_token(owner, name, days, actor=owner)
