"""The reporting page: who sees what, returns, reminders, custom periods, status changes.

Against the demo: CATALYST-DEMO runs weekly periods (1 and 2 past their deadline,
3 under way, 4 not started), with a mix of returns, nil returns and gaps; the
first overdue period was reminded to ES and IN.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from opsplatform.audit.models import AuditEntry
from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.db import Database, utcnow
from opsplatform.operations import compliance
from opsplatform.operations.models import (
    Operation,
    Participation,
    ParticipationStatus,
    PeriodReturn,
    Reminder,
    ReportingFrequency,
    ReportingPeriod,
    ReturnKind,
)
from opsplatform.organisations.models import Organisation, OrganisationKind
from tests.support.access_matrix import AccessMatrix, Entry
from tests.support.clients import demo

# -- fixtures and helpers ---------------------------------------------------------------------


@dataclass
class Demo:
    catalyst: int
    periods: list[int]  # CATALYST-DEMO's, in order
    precursor: int
    precursor_periods: list[int]
    orgs: dict[str, int]

    def url(self, suffix: str = "", operation: int | None = None) -> str:
        return f"/operations/{operation or self.catalyst}/reporting{suffix}"

    def remind_url(self, period_index: int) -> str:
        return self.url(f"/periods/{self.periods[period_index]}/reminders")


def _period_ids(session, operation_id: int) -> list[int]:
    return list(session.scalars(select(ReportingPeriod.id).where(
        ReportingPeriod.operation_id == operation_id).order_by(ReportingPeriod.starts_on)))


@pytest.fixture
def ids(in_app) -> Demo:
    with in_app() as session:
        by_code = dict(session.execute(select(Operation.code, Operation.id)).all())
        orgs = dict(session.execute(select(Organisation.code, Organisation.id)).all())
        catalyst, precursor = by_code["CATALYST-DEMO"], by_code["PRECURSOR-DEMO"]
        return Demo(catalyst, _period_ids(session, catalyst), precursor,
                    _period_ids(session, precursor), orgs)


def _section(html: str, element_id: str) -> str:
    """The HTML of the section with ``id`` (up to its closing tag)."""
    start = html.index(f'id="{element_id}"')
    return html[start:html.index("</section>", start)]


def _row_cells(html: str, code: str) -> list[str]:
    """The cells of ``code``'s row in the full table, as text."""
    table = _section(html, "compliance-table") if 'id="compliance-table"' in html else ""
    match = re.search(rf'<tr>\s*<th scope="row">{code}<span.*?</tr>', table, re.S)
    assert match, f"no row for {code}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(0), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells]


def _returns(session, period_id: int) -> dict[str, PeriodReturn]:
    rows = session.execute(select(Organisation.code, PeriodReturn).join(
        Organisation, Organisation.id == PeriodReturn.organisation_id).where(
        PeriodReturn.period_id == period_id))
    return {code: period_return for code, period_return in rows}


def _reminded(session, period_id: int) -> list[str]:
    return sorted(session.scalars(select(Organisation.code).join(
        Reminder, Reminder.organisation_id == Organisation.id).where(
        Reminder.period_id == period_id)))


def _audit(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                .order_by(AuditEntry.id)))


def _spans(session, operation_id: int) -> list[tuple[date, date]]:
    return list(session.execute(select(ReportingPeriod.starts_on, ReportingPeriod.ends_on).where(
        ReportingPeriod.operation_id == operation_id).order_by(ReportingPeriod.starts_on)))


# -- who may do what: every route of the page, every role ---------------------------------------

# cp.br: outsider; admin: platform admin without a role; cp.mx: MX is invited, not yet taking
# part; cp.jp: contact point; observer: UNODC; ocu: coordinator; secretariat: WCO Secretariat.
# The forms are sent empty: the access check comes first; past it, the form answers (422)
# or, for reminders, everyone who has not reported is reminded (302).
MATRIX = AccessMatrix(
    roles=["cp.br", "admin", "cp.mx", "cp.jp", "observer", "ocu", "secretariat"],
    hidden=("CATALYST",),
    entries=[
        Entry("page", "operations.compliance", "GET", (404, 404, 403, 200, 200, 200, 200)),
        Entry("csv", "operations.compliance_csv", "GET", (404, 404, 403, 403, 403, 200, 200)),
        Entry("return", "operations.compliance_file_return", "POST",
              (404, 404, 403, 422, 403, 403, 403)),
        Entry("reminders", "operations.compliance_remind", "POST",
              (404, 404, 403, 403, 403, 302, 302),
              values=lambda ids: {"period_id": ids.periods[1]}),
        Entry("periods", "operations.compliance_periods", "POST",
              (404, 404, 403, 403, 403, 403, 422)),
    ],
)


@pytest.mark.parametrize("entry, role", MATRIX.cases())
def test_access_by_role(client_as, ids, entry, role):
    client = client_as(role)
    url = entry.url(operation_id=ids.catalyst, **entry.values(ids))
    if entry.method == "GET":
        response = client.get(url)
    else:
        token = client.csrf_token()
        prefix = f"remind-{ids.periods[1]}-" if entry.name == "reminders" else ""
        response = client.post(url, data={"csrf_token": token, f"{prefix}csrf_token": token})
    MATRIX.check(entry, role, response, url=url)


def test_reporting_tab_hidden_from_outsiders_and_other_operations_are_404(client_as, ids):
    contact_point = client_as("cp.jp")
    # JP does not take part in PRECURSOR-DEMO: its reporting page does not exist for cp.jp.
    assert contact_point.get(ids.url(operation=ids.precursor)).status_code == 404
    assert contact_point.get(ids.url(".csv", operation=ids.precursor)).status_code == 404


# -- what each role sees ----------------------------------------------------------------------


def test_observer_sees_periods_and_totals_only(client_as, ids):
    html = client_as("observer").get(ids.url()).text
    assert 'id="periods"' in html and 'id="reporting-totals"' in html
    assert "<svg" in html  # the summary chart
    for absent in ('id="compliance-table"', 'id="reminders"', 'id="file-return"',
                   'id="own-returns"', "Spanish Customs", "reporting.csv"):
        assert absent not in html
    # Every status is listed with its count in words.
    for status in ("seizures", "nil", "due", "overdue", "upcoming"):
        assert f'data-status="{status}"' in html


def test_totals_count_the_whole_table(client_as, ids, in_app):
    html = client_as("observer").get(ids.url()).text
    shown = {m.group(1): int(m.group(2)) for m in
             re.finditer(r'data-status="(\w+)">(\d+)<', html)}
    with in_app() as session:
        returns = session.scalar(select(func.count(PeriodReturn.id)).where(
            PeriodReturn.operation_id == ids.catalyst))
    assert sum(shown.values()) == 19 * 4  # 19 reporting administrations, 4 periods
    assert shown["seizures"] + shown["nil"] == returns
    assert shown["upcoming"] == 19  # period 4 has not started


def test_contact_point_sees_own_row_not_others(client_as, ids):
    html = client_as("cp.jp").get(ids.url()).text
    own = _section(html, "own-returns")
    assert "Your administration (JP)" in own
    assert "2 seizures" in own and "Nil return" in own
    assert 'id="compliance-table"' not in html
    for other in ("Spanish Customs", "Korea Customs Service", "reporting.csv", 'id="reminders"'):
        assert other not in html
    # JP has filed for every started period: there is nothing left to file.
    assert "has filed a return for every period that has started" in own


def test_contact_point_is_offered_only_started_unreported_periods(client_as, ids):
    html = client_as("cp.de").get(ids.url()).text  # DE: seizures, seizures, nothing yet
    form = _section(html, "own-returns")
    offered = re.findall(r'<option[^>]*value="(\d+)"', form)
    assert offered == [str(ids.periods[2])]
    assert "Nil return" in form and "Seizures reported" in form


def test_coordinator_sees_the_full_accessible_table(client_as, ids):
    html = client_as("ocu").get(ids.url()).text
    table = _section(html, "compliance-table")
    assert "<caption>" in table
    assert table.count('<th scope="row">') == 19  # the administrations
    assert table.count('<th scope="col"') == 1 + 4
    # Each cell says its status in words, not only by colour.
    labels = ("Seizures reported", "Nil return", "Not reported, not yet due",
              "Not reported, overdue", "Not started")
    cells = re.findall(r'<td class="compliance-cell [^"]*"[^>]*>(.*?)</td>', table, re.S)
    assert len(cells) == 19 * 4
    assert all(any(label in cell for label in labels) for cell in cells)
    # ES: nothing for periods 1 and 2 (reminded for 1), seizures for 3, 4 not started.
    es = _row_cells(html, "ES")
    assert es[0].startswith("Not reported, overdue") and "reminded" in es[0]
    assert es[1].startswith("Not reported, overdue") and "reminded" not in es[1]
    assert es[2].startswith("Seizures reported") and "5 seizures" in es[2]
    assert es[3] == "Not started"
    assert _row_cells(html, "JP")[1].startswith("Nil return")
    assert 'id="reminders"' in html and "reporting.csv" in html
    assert 'id="file-return"' not in html  # a coordinator files no returns
    assert 'id="define-periods"' not in html  # weekly periods follow the calendar


def test_secretariat_sees_the_table_and_reminders(client_as, ids):
    html = client_as("secretariat").get(ids.url()).text
    assert 'id="compliance-table"' in html and 'id="reminders"' in html
    assert 'id="file-return"' not in html


def test_the_reminders_come_first_for_the_latest_period_over(client_as, ids):
    html = client_as("ocu").get(ids.url()).text
    reminders = _section(html, "reminders")
    # Periods 1 and 2 are past their deadline: period 2 is the latest, 4 have not reported
    # for it (ES, FR, NZ, TH); its button comes first, without ticking anyone.
    main = reminders[:reminders.index("</form>")]
    assert f'action="{ids.remind_url(1)}' in main
    assert re.search(r"Remind all 4 not reported for", main)
    assert 'name="remind-' + str(ids.periods[1]) + '-organisations"' not in main
    # Period 3 (under way) follows; not period 1, whose two missing (ES, IN) the demo
    # reminded today, nor period 4 (not started).
    assert ids.remind_url(2) in reminders
    assert ids.remind_url(0) not in reminders and ids.remind_url(3) not in reminders
    # The reminders come before the table of administrations.
    assert html.index('id="reminders"') < html.index('id="compliance-table"')


def test_csv_export(client_as, ids):
    response = client_as("ocu").get(ids.url(".csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 19 * 4
    by_key = {(r["organisation_code"], r["period"]): r for r in rows}
    assert by_key[("JP", "1")]["status"] == "seizures"
    assert by_key[("JP", "1")]["seizure_count"] == "2"
    assert by_key[("JP", "2")]["status"] == "nil"
    assert by_key[("ES", "1")]["status"] == "overdue"
    assert by_key[("ES", "1")]["last_reminded_at"]
    assert by_key[("ES", "2")]["last_reminded_at"] == ""
    assert by_key[("KR", "4")]["status"] == "upcoming"


# -- filing a return on the page ---------------------------------------------------------------


def test_contact_point_files_a_nil_return(client_as, ids, in_app):
    client = client_as("cp.de")
    response = client.post_form(ids.url("/returns"), {
        "period": ids.periods[2], "kind": "nil", "remarks": "Nothing at Frankfurt airport."})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Nil return filed for DE" in page
    with in_app() as session:
        filed = _returns(session, ids.periods[2])["DE"]
        assert filed.kind is ReturnKind.NIL and filed.seizure_count is None
        assert filed.remarks == "Nothing at Frankfurt airport."
        assert filed.filed_by.email == demo("cp.de")
        entry = _audit(session, "returns.filed")[-1]
        assert (entry.subject, entry.operation_id) == ("DE", ids.catalyst)
        assert entry.actor.email == demo("cp.de")
    own = _section(page, "own-returns")
    assert "has filed a return for every period that has started" in own


def test_contact_point_reports_seizures_with_a_count(client_as, ids, in_app):
    response = client_as("cp.de").post_form(ids.url("/returns"), {
        "period": ids.periods[2], "kind": "seizures", "seizure_count": "3"})
    assert response.status_code == 302
    with in_app() as session:
        filed = _returns(session, ids.periods[2])["DE"]
        assert (filed.kind, filed.seizure_count) == (ReturnKind.SEIZURES, 3)


@pytest.mark.parametrize("data, message", [
    ({"kind": "seizures", "remarks": "Typed remark"}, "Give the number of seizures"),
    ({"kind": "seizures", "seizure_count": "0", "remarks": "Typed remark"},
     "Number must be between 1 and 1000000"),
    ({"kind": "seizures", "seizure_count": "many", "remarks": "Typed remark"},
     "Not a valid integer value"),
    ({"kind": "seizures", "seizure_count": str(10**20), "remarks": "Typed remark"},
     "Number must be between 1 and 1000000"),
    ({"remarks": "Typed remark"}, "Choose what you are reporting"),
    ({"kind": "spam", "remarks": "Typed remark"}, "Not a valid choice"),
])
def test_bad_returns_are_refused_on_the_form(client_as, ids, in_app, data, message):
    response = client_as("cp.de").post_form(ids.url("/returns"),
                                          {"period": ids.periods[2], **data})
    assert response.status_code == 422
    assert message in response.text
    assert "Typed remark</textarea>" in response.text  # what the user typed is kept
    with in_app() as session:
        assert "DE" not in _returns(session, ids.periods[2])


def test_a_period_not_started_cannot_be_filed(client_as, ids, in_app):
    response = client_as("cp.de").post_form(ids.url("/returns"),
                                          {"period": ids.periods[3], "kind": "nil"})
    assert response.status_code == 422
    assert "has not started yet" in response.text
    with in_app() as session:
        assert _returns(session, ids.periods[3]) == {}


def test_a_return_cannot_be_filed_twice(client_as, ids, in_app):
    client = client_as("cp.de")
    data = {"period": ids.periods[2], "kind": "nil"}
    assert client.post_form(ids.url("/returns"), data).status_code == 302
    again = client.post_form(ids.url("/returns"), {**data, "kind": "seizures",
                                                    "seizure_count": "4"})
    assert again.status_code == 422
    assert "DE already filed a return" in again.text
    with in_app() as session:
        assert _returns(session, ids.periods[2])["DE"].kind is ReturnKind.NIL


def test_a_period_of_another_operation_is_refused(client_as, ids, in_app):
    response = client_as("cp.de").post_form(ids.url("/returns"), {
        "period": ids.precursor_periods[0], "kind": "nil"})
    assert response.status_code == 422
    assert "Choose one of this operation" in response.text
    with in_app() as session:
        assert _returns(session, ids.precursor_periods[0]) == {}


@pytest.mark.parametrize("period", ["", "x", "0", str(2**70)])
def test_no_or_an_impossible_period_is_refused(client_as, ids, period):
    response = client_as("cp.de").post_form(ids.url("/returns"), {"period": period,
                                                                 "kind": "nil"})
    assert response.status_code == 422
    assert "Choose a reporting period" in response.text


def test_a_return_is_always_for_the_own_administration(client_as, ids, in_app):
    # There is no way to name another administration: an extra field is ignored.
    with in_app() as session:
        session.delete(_returns(session, ids.periods[2])["JP"])
        before_kr = _returns(session, ids.periods[2])["KR"].id
    response = client_as("cp.jp").post_form(ids.url("/returns"), {
        "period": ids.periods[2], "kind": "nil", "organisation": "KR",
        "organisation_id": ids.orgs["KR"]})
    assert response.status_code == 302
    with in_app() as session:
        returns = _returns(session, ids.periods[2])
        assert returns["JP"].kind is ReturnKind.NIL
        assert returns["KR"].id == before_kr and returns["KR"].kind is ReturnKind.SEIZURES


# -- reminders ------------------------------------------------------------------------------------


def test_remind_all_who_have_not_reported(client_as, ids, in_app):
    with in_app() as session:
        already = len(_audit(session, "returns.reminder_sent"))
        assert _reminded(session, ids.periods[1]) == []
    client = client_as("ocu")
    token = client.csrf_token()
    prefix = f"remind-{ids.periods[1]}-"
    response = client.post_form(ids.remind_url(1), {
        f"{prefix}csrf_token": token, f"{prefix}scope": "all",
        f"{prefix}message": "Week 2 is overdue."})
    assert response.status_code == 302
    with in_app() as session:
        assert _reminded(session, ids.periods[1]) == ["ES", "FR", "NZ", "TH"]
        reminders = list(session.scalars(select(Reminder).where(
            Reminder.period_id == ids.periods[1])))
        assert {r.message for r in reminders} == {"Week 2 is overdue."}
        assert {r.sent_by.email for r in reminders} == {demo("ocu")}
        entries = _audit(session, "returns.reminder_sent")[already:]
        assert sorted(e.subject for e in entries) == ["ES", "FR", "NZ", "TH"]
        assert {e.operation_id for e in entries} == {ids.catalyst}
    page = client.get(response.headers["Location"]).text
    assert "Reminders were recorded for 4 administrations" in page
    assert "reminded" in _row_cells(page, "FR")[1]
    assert "reminded" not in _row_cells(page, "JP")[1]


def test_remind_selected_administrations(client_as, ids, in_app):
    client = client_as("secretariat")
    token = client.csrf_token()
    prefix = f"remind-{ids.periods[1]}-"
    response = client.post_form(ids.remind_url(1), {
        f"{prefix}csrf_token": token, f"{prefix}scope": "selected",
        f"{prefix}organisations": [ids.orgs["FR"], ids.orgs["TH"]]})
    assert response.status_code == 302
    with in_app() as session:
        assert _reminded(session, ids.periods[1]) == ["FR", "TH"]


@pytest.mark.parametrize("codes, message", [
    ([], "Tick the administrations to remind"),
    (["FR", "JP"], "Only administrations that have not reported can be reminded"),
])
def test_bad_reminders_are_refused_and_nothing_is_sent(client_as, ids, in_app, codes, message):
    client = client_as("ocu")
    token = client.csrf_token()
    prefix = f"remind-{ids.periods[1]}-"
    response = client.post_form(ids.remind_url(1), {
        f"{prefix}csrf_token": token, f"{prefix}scope": "selected",
        f"{prefix}organisations": [ids.orgs[c] for c in codes],
        f"{prefix}message": "Kept message"})
    assert response.status_code == 422
    assert message in response.text
    assert "Kept message</textarea>" in response.text
    with in_app() as session:
        assert _reminded(session, ids.periods[1]) == []


def test_no_reminders_for_a_period_not_started_or_fully_reported(client_as, ids, in_app):
    client = client_as("ocu")
    token = client.csrf_token()
    prefix = f"remind-{ids.periods[3]}-"
    response = client.post_form(ids.remind_url(3), {f"{prefix}csrf_token": token})
    assert response.status_code == 422
    assert "The period has not started yet" in response.text
    # Period 1: ES and IN were missing; once they have filed, nobody is left to remind.
    with in_app() as session:
        operation = session.get(Operation, ids.catalyst)
        period = session.get(ReportingPeriod, ids.periods[0])
        for participation in compliance.reporting_participations(operation):
            if participation.organisation.code in ("ES", "IN"):
                compliance.file_return(operation, participation, period, kind=ReturnKind.NIL,
                                       actor=find_user_by_email(demo("ocu")))
        before = _reminded(session, ids.periods[0])
    prefix = f"remind-{ids.periods[0]}-"
    response = client.post_form(ids.remind_url(0), {f"{prefix}csrf_token": token})
    assert response.status_code == 422
    assert "Every administration has reported for this period" in response.text
    with in_app() as session:
        assert _reminded(session, ids.periods[0]) == before


def test_reminders_for_a_period_of_another_operation_are_404(client_as, ids):
    client = client_as("ocu")
    url = ids.url(f"/periods/{ids.precursor_periods[0]}/reminders")
    assert client.post_form(url).status_code == 404


# -- status transitions ------------------------------------------------------------------------


def test_due_becomes_overdue_after_the_deadline_then_nil_once_filed(client_as, ids, in_app):
    client = client_as("cp.de")

    def de_period_3() -> str:
        own = _section(client.get(ids.url()).text, "own-returns")
        rows = re.findall(r"<tr>.*?</tr>", own, re.S)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows[3])).strip()  # header + 3

    assert "Not reported, not yet due" in de_period_3()
    with in_app() as session:
        session.get(ReportingPeriod, ids.periods[2]).deadline_at = utcnow() - timedelta(minutes=1)
    assert "Not reported, overdue" in de_period_3()
    client.post_form(ids.url("/returns"), {"period": ids.periods[2], "kind": "nil"})
    assert "Nil return" in de_period_3()


# -- custom periods ------------------------------------------------------------------------------


@pytest.fixture
def custom_precursor(in_app, ids) -> tuple[date, date]:
    """PRECURSOR-DEMO switched to custom periods; returns its operational phase."""
    with in_app() as session:
        operation = session.get(Operation, ids.precursor)
        operation.reporting_frequency = ReportingFrequency.CUSTOM
        phase = operation.operational_phase
        return phase.starts_on, phase.ends_on


def _period_rows(spans: list[tuple[date | None, date | None]]) -> dict:
    data = {}
    for index, (start, end) in enumerate(spans):
        data[f"rows-{index}-starts_on"] = start.isoformat() if start else ""
        data[f"rows-{index}-ends_on"] = end.isoformat() if end else ""
    return data


def test_secretariat_defines_custom_periods(client_as, ids, in_app, custom_precursor):
    start, end = custom_precursor
    client = client_as("secretariat")
    page = client.get(ids.url(operation=ids.precursor)).text
    assert 'id="define-periods"' in page
    spans = [(start, start + timedelta(days=6)), (start + timedelta(days=7), end)]
    response = client.post_form(ids.url("/periods", operation=ids.precursor),
                                _period_rows(spans + [(None, None)]))
    assert response.status_code == 302
    with in_app() as session:
        assert _spans(session, ids.precursor) == spans
        entry = _audit(session, "operations.periods_changed")[-1]
        assert entry.operation_id == ids.precursor
        deadlines = list(session.scalars(select(ReportingPeriod.deadline_at).where(
            ReportingPeriod.operation_id == ids.precursor).order_by(ReportingPeriod.starts_on)))
        assert deadlines[0].date() == spans[0][1] + timedelta(days=2)
    assert "The reporting periods were saved" in client.get(response.headers["Location"]).text


def _bad_spans(start: date, end: date) -> dict:
    day = timedelta(days=1)
    return {
        "outside the operational phase": [(start - 3 * day, start + 3 * day),
                                          (start + 4 * day, end)],
        "overlaps the one before": [(start, start + 7 * day), (start + 7 * day, end)],
        "ends before it starts": [(start, start + 6 * day), (start + 10 * day, start + 8 * day)],
        "Give both the start and the end of row 2": [(start, start + 6 * day),
                                                     (start + 7 * day, None)],
    }


@pytest.mark.parametrize("problem", list(_bad_spans(date.today(), date.today())))
def test_bad_custom_periods_are_refused_with_nothing_saved(client_as, ids, in_app,
                                                           custom_precursor, problem):
    start, end = custom_precursor
    spans = _bad_spans(start, end)[problem]
    with in_app() as session:
        before = _spans(session, ids.precursor)
        audited = len(_audit(session, "operations.periods_changed"))
    response = client_as("secretariat").post_form(ids.url("/periods", operation=ids.precursor),
                                                _period_rows(spans))
    assert response.status_code == 422
    assert problem in response.text
    # What was typed is still in the form.
    assert f'value="{spans[1][0].isoformat()}"' in response.text
    with in_app() as session:
        assert _spans(session, ids.precursor) == before
        assert len(_audit(session, "operations.periods_changed")) == audited


def test_periods_with_returns_cannot_be_redrawn(client_as, ids, in_app):
    with in_app() as session:
        operation = session.get(Operation, ids.catalyst)
        operation.reporting_frequency = ReportingFrequency.CUSTOM
        phase = operation.operational_phase
        before = _spans(session, ids.catalyst)
    client = client_as("secretariat")
    assert 'id="define-periods"' in client.get(ids.url()).text
    assert 'id="define-periods"' not in client_as("ocu").get(ids.url()).text
    response = client.post_form(ids.url("/periods"),
                                _period_rows([(phase.starts_on, phase.ends_on)]))
    assert response.status_code == 422
    assert "Returns or reminders already exist" in response.text
    with in_app() as session:
        assert _spans(session, ids.catalyst) == before


def test_calendar_periods_cannot_be_defined_by_hand(client_as, ids, in_app):
    with in_app() as session:
        before = _spans(session, ids.catalyst)
        phase = session.get(Operation, ids.catalyst).operational_phase
    response = client_as("secretariat").post_form(
        ids.url("/periods"), _period_rows([(phase.starts_on, phase.ends_on)]))
    assert response.status_code == 422
    assert "Periods follow the calendar unless reporting is set to custom" in response.text
    with in_app() as session:
        assert _spans(session, ids.catalyst) == before


# -- speed: the page costs the same number of queries whatever the number of administrations ---


def _count_queries(app, client, url: str) -> int:
    engine = Database.state(app).engine
    statements = []

    def _count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    return len(statements)


def test_page_queries_do_not_grow_with_administrations(app, client_as, ids, in_app):
    client = client_as("secretariat")
    client.get(ids.url())  # warm up anything loaded once
    before = _count_queries(app, client, ids.url())
    api_before = _count_queries(app, client, ids.url(".csv"))
    with in_app() as session:
        secretariat = find_user_by_email(demo("secretariat"))
        for number in range(25):
            organisation = Organisation(code=f"Z{number:02d}", name=f"Test customs {number}",
                                        kind=OrganisationKind.MEMBER_ADMINISTRATION)
            session.add(organisation)
            session.flush()
            session.add(Participation(operation_id=ids.catalyst,
                                      organisation_id=organisation.id,
                                      status=ParticipationStatus.ACCEPTED,
                                      invited_by_id=secretariat.id))
            session.add(PeriodReturn(operation_id=ids.catalyst, period_id=ids.periods[0],
                                     organisation_id=organisation.id, kind=ReturnKind.NIL,
                                     filed_by_id=secretariat.id))
            session.add(Reminder(operation_id=ids.catalyst, period_id=ids.periods[1],
                                 organisation_id=organisation.id, sent_by_id=secretariat.id))
    html = client.get(ids.url()).text
    assert "Test customs 24" in html
    assert _count_queries(app, client, ids.url()) == before
    assert _count_queries(app, client, ids.url(".csv")) == api_before
