"""An operation's plan: creating it, editing it, its phases, closing; the dashboard and list."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from opsplatform.audit.models import AuditAction
from opsplatform.operations.models import (
    Operation,
    OperationStatus,
    ParticipationStatus,
    PhaseKind,
    ReportingPeriod,
)
from tests.operations.support import audit_entries
from tests.support.clients import assert_api_error

TODAY = date.today()


def _new_form(**values) -> dict:
    data = {"code": "CATALYST-3", "title": "Operation CATalyst 3", "host": "JP",
            "summary": "NPS in postal and express channels.", "objectives": "Seize NPS.",
            "organisers": ["WCO", "RILO-AP"], "substance_groups": ["synthetic_cathinones"],
            "transport_modes": ["postal", "express_courier"], "handling_code": "H1",
            "tlp": "TLP:AMBER", "reporting_frequency": "weekly", "report_deadline_days": "3",
            "planning_starts_on": TODAY.isoformat()}
    data.update(values)
    return {name: value for name, value in data.items() if value is not None}


def _operation(session, code: str) -> Operation | None:
    return session.scalar(select(Operation).where(Operation.code == code))


def _count_operations(in_app) -> int:
    with in_app() as session:
        return session.scalar(select(func.count(Operation.id)))


def _text(page) -> str:
    """The page's text, without tags, entities decoded, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.text)))


def _input_value(page, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page.text)
    return html.unescape(match.group(1)) if match else None


def _periods(session, operation_id: int) -> list[tuple[date, date]]:
    return [(p.starts_on, p.ends_on) for p in session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.operation_id == operation_id)
        .order_by(ReportingPeriod.starts_on))]


# -- creating an operation --------------------------------------------------------------------


def test_the_secretariat_creates_an_operation_through_the_form(client_as, in_app):
    client = client_as("secretariat")
    form = client.get("/operations/new")
    assert form.status_code == 200
    assert 'name="planning_starts_on"' in form.text

    response = client.post_form("/operations/new", _new_form(code="catalyst-3"))

    assert response.status_code == 302
    with in_app() as session:
        operation = _operation(session, "CATALYST-3")
        assert operation is not None
        assert response.headers["Location"] == f"/operations/{operation.id}/phases"
        assert operation.title == "Operation CATalyst 3"
        assert operation.host_organisation.code == "JP"
        assert [o.code for o in operation.organisers] == ["RILO-AP", "WCO"]
        assert operation.substance_groups == ["synthetic_cathinones"]
        assert operation.transport_modes == ["express_courier", "postal"]
        assert operation.handling_code.value == "H1"
        assert operation.report_deadline_days == 3
        assert operation.created_by.email == "secretariat@demo.example.org"
        # The usual phases, from the planning date; the host and organisers take part.
        assert [p.kind for p in operation.phases] == list(PhaseKind)
        assert operation.phases[0].starts_on == TODAY
        assert operation.phases[-1].ends_on is None
        assert {p.organisation.code: p.status for p in operation.participations} == {
            "JP": ParticipationStatus.ACCEPTED, "WCO": ParticipationStatus.ACCEPTED,
            "RILO-AP": ParticipationStatus.ACCEPTED}
        # Weekly periods cut from the four-week operational phase.
        assert len(_periods(session, operation.id)) == 4
        created = audit_entries(session, operation.id, AuditAction.OPERATION_CREATED)
        assert [e.actor.email for e in created] == ["secretariat@demo.example.org"]
    phases_page = client.get(response.headers["Location"])
    assert "Operation CATALYST-3 was created with the usual phases" in phases_page.text


@pytest.mark.parametrize("who", ["ocu", "cp.jp", "observer", "admin", "cp.br"])
def test_only_the_secretariat_creates_operations(client_as, in_app, who):
    before = _count_operations(in_app)
    client = client_as(who)
    assert client.get("/operations/new").status_code == 403
    assert client.post_form("/operations/new", _new_form()).status_code == 403
    assert _count_operations(in_app) == before
    assert "New operation" not in client.get("/operations/").text


@pytest.mark.parametrize("values, field, message", [
    ({"code": "catalyst-demo"}, "code",
     "The code CATALYST-DEMO is already used by another operation."),
    ({"code": "Precursor-Demo"}, "code",
     "The code PRECURSOR-DEMO is already used by another operation."),
    ({"code": "CATALYST 3!"}, "code",
     "An operation code is 2 to 30 capital letters, digits or hyphens, such as CATALYST-3."),
    ({"code": "-X"}, "code", "An operation code is 2 to 30 capital letters"),
    ({"host": "UNODC"}, "host", "The host must be an active member administration."),
    ({"host": "WCO"}, "host", "The host must be an active member administration."),
    ({"host": "XX"}, "host", "Choose the host administration."),
    ({"report_deadline_days": "31"}, "report_deadline_days", "between 0 and 30"),
], ids=["duplicate", "duplicate-mixed-case", "invalid-characters", "leading-hyphen",
        "international-host", "secretariat-host", "unknown-host", "deadline"])
def test_a_refused_new_operation_names_the_problem_and_keeps_the_input(
        client_as, in_app, values, field, message):
    before = _count_operations(in_app)
    client = client_as("secretariat")

    response = client.post_form("/operations/new", _new_form(title="Bravo <Alpha>", **values))

    assert response.status_code == 422
    assert message in _text(response)
    # The message is tied to its field, and everything typed is still there.
    assert f'id="{field}-error"' in response.text
    assert _input_value(response, "title") == "Bravo <Alpha>"
    assert _input_value(response, "code") == values.get("code", "CATALYST-3")
    assert 'value="synthetic_cathinones" checked' in response.text or re.search(
        r'checked[^>]*value="synthetic_cathinones"', response.text)
    assert _count_operations(in_app) == before


def test_an_inactive_member_administration_cannot_host(client_as, in_app):
    with in_app():
        from opsplatform.organisations.operations import find_by_code

        find_by_code("JP").is_active = False
    response = client_as("secretariat").post_form("/operations/new", _new_form(host="JP"))
    assert response.status_code == 422
    assert "The host must be an active member administration." in _text(response)


# -- editing the plan -------------------------------------------------------------------------


def _plan_form(**values) -> dict:
    data = {"code": "CATALYST-DEMO", "title": "Operation CATalyst (demonstration)",
            "host": "KR", "organisers": ["RILO-AP", "WCO"], "summary": "New summary.",
            "objectives": "New objectives.", "substance_groups": ["synthetic_opioids"],
            "transport_modes": ["air_cargo"], "handling_code": "H2",
            "tlp": "TLP:AMBER+STRICT", "reporting_frequency": "weekly",
            "report_deadline_days": "4"}
    data.update(values)
    return {name: value for name, value in data.items() if value is not None}


def test_the_secretariat_edits_the_plan(client_as, in_app, ids):
    client = client_as("secretariat")
    form = client.get(f"/operations/{ids.catalyst}/edit")
    assert form.status_code == 200
    assert _input_value(form, "code") == "CATALYST-DEMO"
    assert re.search(r'<option selected value="KR">|<option value="KR" selected', form.text)

    response = client.post_form(f"/operations/{ids.catalyst}/edit", _plan_form())

    assert response.status_code == 302
    assert response.headers["Location"] == f"/operations/{ids.catalyst}"
    with in_app() as session:
        operation = session.get(Operation, ids.catalyst)
        assert operation.summary == "New summary."
        assert operation.substance_groups == ["synthetic_opioids"]
        assert operation.tlp.value == "TLP:AMBER+STRICT"
        assert operation.report_deadline_days == 4
        assert operation.updated_by.email == "secretariat@demo.example.org"
        # The deadlines follow the new number of days.
        first = session.scalars(select(ReportingPeriod).where(
            ReportingPeriod.operation_id == ids.catalyst)
            .order_by(ReportingPeriod.starts_on)).first()
        assert first.deadline_at.date() == first.ends_on + timedelta(days=4)
        [entry] = audit_entries(session, ids.catalyst, AuditAction.OPERATION_UPDATED)
        assert entry.details["changes"]["summary"][1] == "New summary."
        assert entry.details["changes"]["report_deadline_days"] == [2, 4]
    assert "New summary." in client.get(f"/operations/{ids.catalyst}").text


def test_editing_the_plan_refuses_another_operations_code(client_as, in_app, ids):
    response = client_as("secretariat").post_form(
        f"/operations/{ids.catalyst}/edit", _plan_form(code="precursor-demo"))
    assert response.status_code == 422
    assert "The code PRECURSOR-DEMO is already used by another operation." in _text(response)
    with in_app() as session:
        operation = session.get(Operation, ids.catalyst)
        assert operation.code == "CATALYST-DEMO"
        assert operation.summary != "New summary."


def test_keeping_its_own_code_in_another_case_is_not_a_duplicate(client_as, in_app, ids):
    response = client_as("secretariat").post_form(
        f"/operations/{ids.catalyst}/edit", _plan_form(code="Catalyst-Demo"))
    assert response.status_code == 302
    with in_app() as session:
        assert session.get(Operation, ids.catalyst).code == "CATALYST-DEMO"


def test_switching_to_daily_periods_is_refused_once_returns_exist(client_as, in_app, ids):
    response = client_as("secretariat").post_form(
        f"/operations/{ids.catalyst}/edit", _plan_form(reporting_frequency="daily"))
    assert response.status_code == 422
    assert "Returns or reminders already exist for the reporting periods" in _text(response)
    with in_app() as session:
        operation = session.get(Operation, ids.catalyst)
        assert operation.reporting_frequency.value == "weekly"
        assert operation.summary != "New summary."
        assert len(_periods(session, ids.catalyst)) == 4


# -- phases -----------------------------------------------------------------------------------


def _phase_rows(rows: list[tuple], extra_blank_rows: int = 0) -> dict:
    """Form data for the phases page: rows of (kind, name, starts_on, ends_on[, remove])."""
    data = {}
    for number, row in enumerate([*rows, *[("", "", None, None)] * extra_blank_rows]):
        kind, name, starts_on, ends_on, *remove = row
        data.update({f"phases-{number}-kind": kind, f"phases-{number}-name": name,
                     f"phases-{number}-starts_on": starts_on.isoformat() if starts_on else "",
                     f"phases-{number}-ends_on": ends_on.isoformat() if ends_on else ""})
        if remove:
            data[f"phases-{number}-remove"] = "y"
    return data


def _catalyst_rows(ids) -> list[tuple]:
    return [tuple(phase) for phase in ids.phases]


def _phases(session, operation_id):
    return [(p.kind.value, p.name, p.starts_on, p.ends_on)
            for p in session.get(Operation, operation_id).phases]


def test_the_phases_page_lists_the_phases_and_blank_rows(client_as, ids):
    page = client_as("secretariat").get(f"/operations/{ids.catalyst}/phases")
    assert page.status_code == 200
    assert _input_value(page, "phases-2-name") == "Operational phase"
    # Six phases and two blank rows to add more.
    assert 'name="phases-7-name"' in page.text
    assert 'name="phases-8-name"' not in page.text


def test_saving_the_same_phases_with_blank_rows_changes_nothing(client_as, in_app, ids):
    """Blank extra rows are ignored; unchanged phases record nothing."""
    response = client_as("secretariat").post_form(
        f"/operations/{ids.catalyst}/phases", _phase_rows(_catalyst_rows(ids), 2))
    assert response.status_code == 302
    with in_app() as session:
        assert _phases(session, ids.catalyst) == ids.phases
        assert len(audit_entries(session, ids.catalyst, AuditAction.PHASES_CHANGED)) == 1


def _reversed(rows):
    kind, name, start, _end = rows[1]
    rows[1] = (kind, name, start, start - timedelta(days=3))
    return rows


def _overlapping(rows):
    kind, name, start, end = rows[2]
    rows[2] = (kind, name, start - timedelta(days=1), end)
    return rows


def _open_ended_early(rows):
    kind, name, start, _end = rows[3]
    rows[3] = (kind, name, start, None)
    return rows


def _two_operational(rows):
    _kind, _name, start, end = rows[3]
    rows[3] = ("operational", "Second operational phase", start, end)
    return rows


def _no_kind(rows):
    _kind, name, start, end = rows[4]
    rows[4] = ("", name, start, end)
    return rows


@pytest.mark.parametrize("change, message", [
    (_reversed, "Phase 2 (Briefing seminar and preparation) ends on"),
    (_overlapping, "Phase 3 (Operational phase) starts on"),
    (_open_ended_early, ("Phase 4 (Follow-up and controlled deliveries) needs an end date; "
                         "only a final closing phase may be open-ended.")),
    (_two_operational, "An operation has at most one operational phase."),
    (_no_kind, "Choose the kind of this phase."),
], ids=["reversed", "overlapping", "open-ended", "two-operational", "no-kind"])
def test_wrong_phases_are_refused_and_nothing_is_saved(client_as, in_app, ids, change, message):
    rows = change(_catalyst_rows(ids))
    # An otherwise good change rides along: it must not be saved either.
    kind, _name, start, end = rows[0]
    rows[0] = (kind, "Renamed planning", start, end)

    response = client_as("secretariat").post_form(
        f"/operations/{ids.catalyst}/phases", _phase_rows(rows, 1))

    assert response.status_code == 422
    assert message in _text(response)
    assert _input_value(response, "phases-0-name") == "Renamed planning"
    with in_app() as session:
        assert _phases(session, ids.catalyst) == ids.phases
        assert len(_periods(session, ids.catalyst)) == 4
        # Only the entry of the demo's creation.
        assert len(audit_entries(session, ids.catalyst, AuditAction.PHASES_CHANGED)) == 1


def test_a_reversed_phase_names_its_dates(client_as, ids):
    rows = _reversed(_catalyst_rows(ids))
    _kind, _name, start, end = rows[1]
    response = client_as("secretariat").post_form(f"/operations/{ids.catalyst}/phases",
                                                  _phase_rows(rows))
    assert (f"ends on {format_date(end, 'medium', locale='en')}, before it starts on "
            f"{format_date(start, 'medium', locale='en')}") in _text(response)


def _row_errors(response) -> dict[str, list[str]]:
    """The errors shown under each row of the phases table, by the row's id."""
    return {row: [html.unescape(e) for e in re.findall(r'<p class="field-error">([^<]*)</p>',
                                                       cell)]
            for row, cell in re.findall(r'<td colspan="5" id="(phases-\d+)-errors">(.*?)</td>',
                                        response.text)}


def test_a_closing_phase_in_the_middle_is_refused_on_its_row(client_as, in_app, ids):
    rows = _catalyst_rows(ids)
    kind, _name, start, end = rows[3]  # the follow-up becomes a "closed" phase, mid-way
    rows[3] = ("closed", "Closed too early", start, end)
    response = client_as("secretariat").post_form(f"/operations/{ids.catalyst}/phases",
                                                  _phase_rows(rows, 2))
    assert response.status_code == 422
    message = ("Phase 4 (Closed too early) closes the operation, so it comes last: move it "
               "to the end or choose another kind.")
    assert _row_errors(response) == {"phases-3": [message]}
    assert 'aria-describedby="phases-3-errors"' in response.text
    assert _input_value(response, "phases-3-name") == "Closed too early"  # kept as typed
    with in_app() as session:
        assert _phases(session, ids.catalyst) == [tuple(p) for p in ids.phases]


def test_each_phase_error_shows_on_the_row_typed_even_past_removed_rows(client_as, ids):
    rows = _catalyst_rows(ids)
    kind, name, start, end = rows[1]
    rows[1] = (kind, name, start, end, True)  # removed: the phases after it move up
    kind, name, start, end = rows[3]
    rows[3] = (kind, name, end, start)  # reversed dates on the fourth row of the form
    response = client_as("secretariat").post_form(f"/operations/{ids.catalyst}/phases",
                                                  _phase_rows(rows))
    assert response.status_code == 422
    assert list(_row_errors(response)) == ["phases-3"]


def test_the_api_refuses_a_closing_phase_in_the_middle(api_as, ids):
    phases = [{"kind": kind, "name": name, "starts_on": start.isoformat(),
               "ends_on": end.isoformat() if end else None}
              for kind, name, start, end in ids.phases]
    phases[3]["kind"] = "closed"
    response = api_as("secretariat").patch(f"/api/v1/operations/{ids.catalyst}",
                                           {"phases": phases})
    assert_api_error(response, 422, "closed_phase_not_last", field="phases")


def test_a_phase_is_removed_with_its_checkbox(client_as, in_app, ids):
    rows = _catalyst_rows(ids)
    # Remove the debriefing phase; the closing phase moves up to follow the follow-up.
    kind, name, start, end = rows[4]
    rows[4] = (kind, name, start, end, True)

    response = client_as("secretariat").post_form(f"/operations/{ids.catalyst}/phases",
                                                  _phase_rows(rows, 2))

    assert response.status_code == 302
    with in_app() as session:
        kinds = [kind for kind, *_rest in _phases(session, ids.catalyst)]
        assert kinds == ["planning", "pre_operational", "operational", "follow_up", "closed"]
        _created, entry = audit_entries(session, ids.catalyst, AuditAction.PHASES_CHANGED)
        assert len(entry.details["phases"]) == 5
        assert entry.actor.email == "secretariat@demo.example.org"


def test_a_phase_is_added_in_a_blank_row(client_as, in_app):
    with in_app() as session:
        precursor = _operation(session, "PRECURSOR-DEMO")
        operation_id = precursor.id
        rows = [(p.kind.value, p.name, p.starts_on, p.ends_on) for p in precursor.phases]
    last_end = rows[-1][3]
    rows.append(("closed", "", last_end + timedelta(days=1), None))
    response = client_as("secretariat").post_form(f"/operations/{operation_id}/phases",
                                                  _phase_rows(rows, 1))
    assert response.status_code == 302
    with in_app() as session:
        phases = _phases(session, operation_id)
        assert phases[-1] == ("closed", "Closed", last_end + timedelta(days=1), None)
        # The operation's span ends where the open-ended closing phase starts.
        assert session.get(Operation, operation_id).ends_on == last_end


def test_lengthening_the_operational_phase_adds_reporting_periods(client_as, in_app, ids):
    rows = _catalyst_rows(ids)
    week = timedelta(days=7)
    for index in (2, 3):  # the operational phase ends a week later, the follow-up starts later
        kind, name, start, end = rows[index]
        rows[index] = (kind, name, start if index == 2 else start + week, end + week
                       if index == 2 else end)
    with in_app() as session:
        before = _periods(session, ids.catalyst)

    response = client_as("secretariat").post_form(f"/operations/{ids.catalyst}/phases",
                                                  _phase_rows(rows))

    assert response.status_code == 302
    with in_app() as session:
        after = _periods(session, ids.catalyst)
        assert after[:4] == before
        assert after[4] == (before[3][1] + timedelta(days=1), before[3][1] + week)


def test_moving_the_operational_phase_of_an_unreported_operation_regenerates_periods(
        client_as, in_app):
    client = client_as("secretariat")
    assert client.post_form("/operations/new", _new_form(
        planning_starts_on=(TODAY + timedelta(days=30)).isoformat())).status_code == 302
    with in_app() as session:
        operation = _operation(session, "CATALYST-3")
        operation_id = operation.id
        rows = [(p.kind.value, p.name, p.starts_on, p.ends_on) for p in operation.phases]
        before = _periods(session, operation_id)
    # Start the operational phase three days earlier (the briefing ends earlier too).
    three = timedelta(days=3)
    kind, name, start, end = rows[1]
    rows[1] = (kind, name, start, end - three)
    kind, name, start, end = rows[2]
    rows[2] = (kind, name, start - three, end)

    response = client.post_form(f"/operations/{operation_id}/phases", _phase_rows(rows))

    assert response.status_code == 302
    with in_app() as session:
        after = _periods(session, operation_id)
    assert after[0][0] == before[0][0] - three
    assert all((end - start).days == 6 for start, end in after[:-1])
    assert after[-1][1] == before[-1][1]
    assert len(after) == 5  # 31 days: four weeks and a three-day remainder


def test_moving_the_operational_phase_is_refused_when_returns_would_be_lost(
        client_as, in_app, ids):
    rows = _catalyst_rows(ids)
    day = timedelta(days=1)
    kind, name, start, end = rows[1]
    rows[1] = (kind, name, start, end + day)
    kind, name, start, end = rows[2]
    rows[2] = (kind, name, start + day, end)

    response = client_as("secretariat").post_form(f"/operations/{ids.catalyst}/phases",
                                                  _phase_rows(rows))

    assert response.status_code == 422
    text = _text(response)
    assert "Returns or reminders already exist for the reporting periods" in text
    assert "they cannot be removed by this change" in text
    with in_app() as session:
        assert _phases(session, ids.catalyst) == ids.phases
        assert len(_periods(session, ids.catalyst)) == 4


# -- closing early ----------------------------------------------------------------------------


def _stat(page, label: str) -> str:
    match = re.search(rf'<p class="stat__label">{label}</p>\s*<p class="stat__value">(.*?)</p>',
                      page.text, re.DOTALL)
    assert match, f"no {label} on the page"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))).strip()


def _stat_notes(page, label: str) -> str:
    """The notes under a card's value, as one line of text."""
    match = re.search(rf'<p class="stat__label">{label}</p>\s*<p class="stat__value">.*?</p>'
                      r'(.*?)</div>', page.text, re.DOTALL)
    assert match, f"no {label} on the page"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def _current_timeline_band(page) -> list[str]:
    svg = re.search(r"<svg.*?</svg>", page.text, re.DOTALL).group(0)
    return re.findall(r"([^.;>]*?) \(current\)", html.unescape(svg))


def test_closing_early_and_reopening(client_as, in_app, ids):
    client = client_as("secretariat")
    url = f"/operations/{ids.catalyst}"

    response = client.post_form(f"{url}/close")

    assert response.status_code == 302
    with in_app() as session:
        operation = session.get(Operation, ids.catalyst)
        assert operation.status_on(TODAY) is OperationStatus.CLOSED
        assert operation.closed_by.email == "secretariat@demo.example.org"
        assert len(audit_entries(session, ids.catalyst, AuditAction.OPERATION_CLOSED)) == 1
    page = client_as("cp.jp").get(url)
    assert _stat(page, "Status") == "Closed"
    assert _stat_notes(page, "Status").startswith("Closed early on ")
    assert all("Closed" in band for band in _current_timeline_band(page))
    assert "Closed" in _text(client_as("cp.jp").get("/operations/", query_string={
        "status": "closed"}))
    # Closing twice says so.
    again = client.post_form(f"{url}/close")
    assert again.status_code == 409
    assert "The operation is already closed." in again.text

    assert client.post_form(f"{url}/reopen").status_code == 302
    page = client_as("cp.jp").get(url)
    assert _stat(page, "Status") == "Under way"
    assert _stat_notes(page, "Status") == "Phase 3 of 6: Operational phase"
    with in_app() as session:
        operation = session.get(Operation, ids.catalyst)
        assert operation.closed_at is None
        assert len(audit_entries(session, ids.catalyst, AuditAction.OPERATION_REOPENED)) == 1
    assert client.post_form(f"{url}/reopen").status_code == 409


def test_an_operation_without_a_closing_phase_shows_closed_once_closed(client_as, in_app):
    with in_app() as session:
        operation_id = _operation(session, "PRECURSOR-DEMO").id
    assert client_as("secretariat").post_form(f"/operations/{operation_id}/close").status_code \
        == 302
    page = client_as("cp.br").get(f"/operations/{operation_id}")
    assert _stat(page, "Status") == "Closed"
    assert _stat_notes(page, "Status").startswith("Closed early on ")


def test_an_operation_is_closed_from_the_first_day_of_its_closing_phase(client_as, in_app):
    client = client_as("secretariat")
    assert client.post_form("/operations/new", _new_form()).status_code == 302
    with in_app() as session:
        operation_id = _operation(session, "CATALYST-3").id
    rows = [("operational", "Operational", TODAY - timedelta(days=10), TODAY - timedelta(days=1)),
            ("closed", "Closed", TODAY, None)]
    assert client.post_form(f"/operations/{operation_id}/phases",
                            _phase_rows(rows)).status_code == 302
    page = client.get(f"/operations/{operation_id}")
    assert _stat(page, "Status") == "Closed"
    assert _stat_notes(page, "Status") == f"Since {format_date(TODAY, 'medium', locale='en')}"
    assert "CATALYST-3" in client.get("/operations/", query_string={"status": "closed"}).text
    assert "CATALYST-3" not in client.get("/operations/", query_string={"status": "active"}).text


# -- the dashboard ----------------------------------------------------------------------------


def test_the_dashboard_shows_where_the_operation_stands(client_as, in_app, ids):
    page = client_as("cp.jp").get(f"/operations/{ids.catalyst}")
    assert page.status_code == 200
    operational_end = ids.phases[2][3]
    days_left = (operational_end - TODAY).days + 1  # today included
    assert _stat(page, "Status") == "Under way"
    # The status card names the phase; the operational phase's card says the time left.
    assert _stat_notes(page, "Status") == "Phase 3 of 6: Operational phase"
    assert _stat(page, "Operational phase") == f"{days_left} days left"
    assert _text(page).count(f"{days_left} days left") == 1
    # 19 administrations, WCO, RILO-AP and UNODC take part; MX is invited, ZA declined.
    assert _stat(page, "Organisations taking part") == "22"
    assert "1 invited, 1 declined" in page.text
    # The timeline: an accessible SVG drawn by the platform, the current phase marked.
    svg = re.search(r"<svg[^>]*>", page.text).group(0)
    assert 'role="img"' in svg
    assert any("Operational phase" in band for band in _current_timeline_band(page))
    # The compliance summary, with JP's own line.
    assert 'id="compliance-title"' in page.text
    assert "Your administration (JP)" in page.text
    # The latest activity.
    assert any(re.fullmatch(r"JP (reported \d+ seizures?|filed a nil return) for .+ – .+ "
                            r"\(Sato Haruto\)\.", line) for line in _activity(page))


# A return in the activity: who, what it says, and the period it is for.
_RETURN_LINE = re.compile(r"(?P<code>[A-Z]{2}) (reported \d+ seizures?|filed a nil return) for ")


def _activity(page) -> list[str]:
    section = re.search(r'id="activity-title".*?</section>', page.text, re.DOTALL).group(0)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", item))).split(" — ", 1)[1]
            for item in re.findall(r"<li>(.*?)</li>", section, re.DOTALL)]


@pytest.mark.parametrize("who, own", [("cp.jp", "JP"), ("observer", None)])
def test_the_activity_tells_others_reporting_only_to_those_who_see_the_full_table(
        client_as, ids, who, own):
    """Which administration filed or was reminded is the full compliance table's business."""
    everyone = _activity(client_as("ocu").get(f"/operations/{ids.catalyst}"))
    assert any(" reminded " in line for line in everyone)
    assert any(_RETURN_LINE.match(line)["code"] == "IN" for line in everyone
               if _RETURN_LINE.match(line))
    assert _activity(client_as("secretariat").get(f"/operations/{ids.catalyst}")) == everyone

    shown = _activity(client_as(who).get(f"/operations/{ids.catalyst}"))

    reporting = [line for line in shown if _RETURN_LINE.match(line) or " reminded " in line]
    assert all(_RETURN_LINE.match(line)["code"] == own for line in reporting)
    assert len(shown) == 12  # the rest of the activity fills the list


def test_the_latest_activity_shows_changes_and_leaves_out_exports(client_as, ids):
    secretariat = client_as("secretariat")
    secretariat.post_form(f"/operations/{ids.catalyst}/participants",
                          {"invite-organisation": "BR"})
    client_as("cp.jp").get(f"/operations/{ids.catalyst}/contacts.csv")
    page = client_as("observer").get(f"/operations/{ids.catalyst}")
    activity = re.search(r'id="activity-title".*?</section>', page.text, re.DOTALL).group(0)
    first = re.search(r"<li>(.*?)</li>", activity, re.DOTALL).group(1)
    assert "invited BR" in html.unescape(first)
    assert "directory.exported" not in activity


def test_the_observer_sees_the_summary_without_an_own_line(client_as, ids):
    page = client_as("observer").get(f"/operations/{ids.catalyst}")
    assert 'id="compliance-title"' in page.text
    assert "Your administration" not in page.text


def test_a_phase_ending_today_has_one_day_left(client_as, in_app):
    client = client_as("secretariat")
    start = TODAY - timedelta(days=5)
    rows = [("planning", "Planning", start, TODAY),
            ("operational", "Operational", TODAY + timedelta(days=1),
             TODAY + timedelta(days=14))]
    assert client.post_form("/operations/new", _new_form()).status_code == 302
    with in_app() as session:
        operation_id = _operation(session, "CATALYST-3").id
    assert client.post_form(f"/operations/{operation_id}/phases",
                            _phase_rows(rows)).status_code == 302
    page = client.get(f"/operations/{operation_id}")
    assert _stat(page, "Status") == "In preparation"
    assert _stat_notes(page, "Status") == (
        f"Phase 1 of 2: Planning until {format_date(TODAY, 'medium', locale='en')}, 1 day left")
    assert _stat(page, "Operational phase") == "Starts in 1 day"


# -- the list ---------------------------------------------------------------------------------


def _listed(page) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/operations/\d+">([^<]+)</a>', page.text)


def test_the_list_filters_by_status_and_search(client_as, in_app):
    client = client_as("secretariat")
    # A planned operation (it starts next month) and a closed one.
    assert client.post_form("/operations/new", _new_form(
        planning_starts_on=(TODAY + timedelta(days=30)).isoformat())).status_code == 302
    assert client.post_form("/operations/new", _new_form(
        code="OLD-OP", title="An old operation")).status_code == 302
    with in_app() as session:
        old = _operation(session, "OLD-OP").id
    assert client.post_form(f"/operations/{old}/close").status_code == 302

    def listed(**query):
        page = client.get("/operations/", query_string=query)
        assert page.status_code == 200
        return sorted(_listed(page))

    assert listed() == ["CATALYST-3", "CATALYST-DEMO", "OLD-OP", "PRECURSOR-DEMO"]
    # PRECURSOR-DEMO is in its planning phase: in preparation, not under way.
    assert listed(status="planned") == ["CATALYST-3", "PRECURSOR-DEMO"]
    assert listed(status="active") == ["CATALYST-DEMO"]
    assert listed(status="closed") == ["OLD-OP"]
    assert listed(q="catalyst") == ["CATALYST-3", "CATALYST-DEMO"]
    assert listed(q="precursors demo") == []
    assert listed(q="synthetic drug precursors") == ["PRECURSOR-DEMO"]
    assert listed(q="catalyst", status="active") == ["CATALYST-DEMO"]
    # The filter keeps what was chosen.
    page = client.get("/operations/", query_string={"q": "catalyst", "status": "planned"})
    assert 'value="catalyst"' in page.text
    assert '<option value="planned" selected>' in page.text


def test_search_treats_wildcards_as_text(client_as):
    client = client_as("secretariat")
    assert _listed(client.get("/operations/", query_string={"q": "%"})) == []
    assert _listed(client.get("/operations/", query_string={"q": "_"})) == []


def test_the_home_page_lists_my_operations_current_first(client_as):
    page = client_as("cp.de").get("/")  # DE takes part in both demo operations
    assert _listed(page) == ["CATALYST-DEMO", "PRECURSOR-DEMO"]
    assert "Contact point" in page.text


def _taking_part_cell(page, code: str) -> str:
    row = page.text[page.text.index(f">{code}</a>"):]
    return re.findall(r'<td class="num"[^>]*>(.*?)</td>', row)[0]


@pytest.mark.parametrize("path", ["/operations/", "/"])
def test_an_invitee_sees_no_participant_count_in_lists_as_in_the_api(client_as, path):
    """One rule for the page and the API: the count needs 'participants:read'."""
    invited = client_as("cp.mx").get(path)  # MX is invited to CATALYST-DEMO
    assert "Not shown to invitees" in _taking_part_cell(invited, "CATALYST-DEMO")
    member = client_as("cp.jp").get(path)
    assert _taking_part_cell(member, "CATALYST-DEMO").isdigit()
