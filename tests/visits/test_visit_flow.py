"""The visit workflow through the pages: plan the year, the school's agreement (accept,
propose another date, the programme's answer), moves under the hard and soft rules, done
(written down on the school) and cancelled, and the private calendar feed."""

import html
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from peksos.core.models import AuditEvent, OutboxMessage
from schools.models import BlockedPeriod, School
from visits import planner
from visits.models import (
    CalendarFeedToken,
    DateChange,
    PlanRun,
    StaffCapacity,
    StaffLeave,
    Visit,
    VisitMember,
)
from visits.planning import PlanOptions, build_problem

TODAY = datetime(2026, 7, 6, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # a Monday
TUESDAY = date(2026, 8, 4)
WEDNESDAY = date(2026, 8, 5)
SATURDAY = date(2026, 8, 8)
INDEPENDENCE_DAY = date(2026, 8, 17)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def fragment(msgid: str) -> str:
    """The longest literal part of a message as the user reads it (the Indonesian catalogue's
    translation once it has one), to look for in a page."""
    with translation.override("id"):
        text = gettext(msgid)
    return max(re.split(r"%\(\w+\)[sd]", text), key=len).strip()


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def url(name: str, *args) -> str:
    return reverse(f"visits:{name}", args=args)


def make_visit(school, day, *team, state=Visit.State.PROPOSED, kind=Visit.Kind.CAMPAIGN, **kw):
    visit = Visit(school=school, state=state, kind=kind, **kw)
    visit.set_date(day)
    visit.save()
    for user in team:
        VisitMember.objects.create(visit=visit, user=user, role=user.role)
    return visit


@pytest.fixture
def visit_a(school_a, peksos_budi):
    return make_visit(school_a, TUESDAY, peksos_budi)


def emails() -> list[list[str]]:
    """Recipients of the e-mails written to the outbox, in order."""
    rows = OutboxMessage.objects.filter(kind="peksos.core.tasks.send_email")
    return [m.payload["to"] for m in rows.order_by("created_at", "id")]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- planning the year ----------------------------------------------------------------------


def test_koordinator_plans_the_year_for_the_city(
    login,
    koordinator_ani,
    peksos_budi,
    peksos_joko_sdn2,
    psikolog_gita,
    kepsek_indah,
    django_capture_on_commit_callbacks,
):
    for peksos in (peksos_budi, peksos_joko_sdn2):
        StaffCapacity.objects.create(user=peksos, per_day=3, per_week=15)
    StaffCapacity.objects.create(user=psikolog_gita, per_day=3, per_week=15)
    client = login(koordinator_ani)
    data = {
        "year": 2026,
        "kind_semester_1": "kampanye",
        "kind_semester_2": "pelatihan",
        "min_gap_weeks": 8,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("plan-create"), data, follow=True)
    run = PlanRun.objects.get()
    assert response.redirect_chain[-1][0] == url("plan-detail", run.pk)
    schools = School.objects.active().count()
    assert run.placed + len(run.unplaced) == 2 * schools
    assert run.placed > schools  # two staff can place most of the city
    visits = Visit.objects.filter(plan=run)
    assert visits.count() == run.placed
    assert not visits.filter(date__week_day__in=[1, 7]).exists()  # Sunday, Saturday
    assert not visits.filter(date=INDEPENDENCE_DAY).exists()
    assert not visits.filter(date__lt=date(2026, 7, 13)).exists()  # a week to answer
    school_a_visits = visits.filter(school__npsn="10807637")
    assert set(school_a_visits.values_list("members__user", flat=True)) >= {peksos_budi.pk}
    trainings = visits.filter(kind="pelatihan")
    assert all(v.members.filter(role="psikolog").exists() for v in trainings[:20])
    assert AuditEvent.objects.filter(action="visit_plan_generated").count() == 1
    # The principal of school A got one e-mail listing the proposed dates.
    assert [m.to for m in mail.outbox] == [[kepsek_indah.email]]
    assert "SD NEGERI 1 METRO PUSAT" in mail.outbox[0].body
    # The result page explains every school that could not be placed.
    page = response.content.decode()
    assert str(run.placed) in page


def test_the_plan_obeys_every_hard_rule_on_the_real_register(
    kota_metro, peksos_budi, peksos_joko_sdn2, psikolog_gita, school_a
):
    BlockedPeriod.objects.create(
        school=school_a, starts_on=date(2026, 7, 13), ends_on=date(2026, 9, 30), title="Ujian"
    )
    StaffLeave.objects.create(
        user=peksos_budi, starts_on=date(2026, 7, 13), ends_on=date(2026, 7, 31), reason="Cuti"
    )
    options = PlanOptions(year=2026)
    problem = build_problem(options, School.objects.active())
    result = planner.plan(problem)
    assert planner.verify(problem, result) == []
    sem1_a = [p.day for p in result.placements if p.school_id == school_a.pk and p.semester == 1]
    assert sem1_a and sem1_a[0] > date(2026, 9, 30)


def test_replanning_keeps_locked_agreed_and_done_visits(
    login, koordinator_ani, peksos_budi, school_a, school_b
):
    locked = make_visit(school_a, TUESDAY, peksos_budi, locked=True)
    agreed = make_visit(school_b, TUESDAY, peksos_budi, state=Visit.State.AGREED)
    loose = make_visit(school_a, date(2027, 2, 2), peksos_budi)
    client = login(koordinator_ani)
    data = {"year": 2026, "kind_semester_1": "kampanye", "kind_semester_2": "kampanye"}
    client.post(url("plan-create"), {**data, "min_gap_weeks": 8, "kecamatan": "18.72.01"})
    assert Visit.objects.filter(pk__in=[locked.pk, agreed.pk]).count() == 2
    assert not Visit.objects.filter(pk=loose.pk).exists()  # an unlocked proposal: replaced
    run = PlanRun.objects.get()
    assert run.removed == 1 and run.kept >= 2
    # School A keeps its locked semester-1 visit and gets a new one in semester 2 only.
    new_a = Visit.objects.filter(plan=run, school=school_a)
    assert [v.semester for v in new_a] == [2]
    assert (new_a[0].date - TUESDAY).days >= 56
    # Both PEKSOS-day slots used on Tuesday: capacity 2 per day by default.
    assert not Visit.objects.filter(plan=run, date=TUESDAY, members__user=peksos_budi).exists()


def test_too_few_staff_gives_reasons_instead_of_bad_dates(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)  # no PEKSOS at all
    data = {"year": 2026, "kind_semester_1": "kampanye", "kind_semester_2": "kampanye"}
    response = client.post(url("plan-create"), {**data, "min_gap_weeks": 8}, follow=True)
    run = PlanRun.objects.get()
    assert run.placed == 0 and {u["reason"] for u in run.unplaced} == {planner.NO_PEKSOS}
    assert "PEKSOS" in response.content.decode()


# --- agreement with the school ----------------------------------------------------------------


def test_school_accepts_a_proposed_date(login, visit_a, kepsek_indah, peksos_budi):
    response = login(kepsek_indah).post(url("visit-accept", visit_a.pk))
    assert response.status_code == 302
    visit_a.refresh_from_db()
    assert visit_a.state == Visit.State.AGREED
    assert AuditEvent.objects.filter(action="visit_agreed").count() == 1
    assert emails() == [[peksos_budi.email]]


def test_school_proposes_a_date_the_programme_accepts_then_it_is_done(
    client, login, visit_a, kepsek_indah, peksos_budi, school_a
):
    login(kepsek_indah)
    response = client.post(
        url("visit-counter", visit_a.pk), {"date": "2026-08-12", "reason": "Ujian tengah"}
    )
    assert response.status_code == 302
    change = DateChange.objects.get(visit=visit_a)
    assert change.state == DateChange.State.PENDING and change.kind == DateChange.Kind.COUNTER
    assert emails() == [[peksos_budi.email]]
    # While the school's date waits, the school cannot accept the old one.
    response = client.post(url("visit-accept", visit_a.pk), follow=True)
    waiting = fragment("The school's proposed date is waiting for the programme's answer.")
    assert any(waiting in m for m in messages_of(response))
    assert Visit.objects.get(pk=visit_a.pk).state == Visit.State.PROPOSED
    login(peksos_budi)
    response = client.post(url("visit-counter-accept", visit_a.pk))
    visit_a.refresh_from_db()
    assert (visit_a.state, visit_a.date) == (Visit.State.AGREED, date(2026, 8, 12))
    change.refresh_from_db()
    assert change.state == DateChange.State.ACCEPTED and change.answered_by == peksos_budi
    with time_machine.travel(datetime(2026, 8, 12, 15, tzinfo=ZoneInfo("Asia/Jakarta"))):
        login(peksos_budi)  # a month later: a new session
        response = client.post(url("visit-done", visit_a.pk))
    visit_a.refresh_from_db()
    school_a.refresh_from_db()
    assert visit_a.state == Visit.State.DONE and visit_a.done_by == peksos_budi
    assert school_a.last_visit_on == date(2026, 8, 12)
    assert school_a.priority_score is not None


def test_done_never_moves_the_last_visit_back(login, school_a, peksos_budi):
    School.objects.filter(pk=school_a.pk).update(last_visit_on=date(2026, 7, 3))
    old = make_visit(school_a, date(2026, 7, 1), peksos_budi, state=Visit.State.AGREED)
    login(peksos_budi).post(url("visit-done", old.pk))
    school_a.refresh_from_db()
    assert school_a.last_visit_on == date(2026, 7, 3)
    assert Visit.objects.get(pk=old.pk).state == Visit.State.DONE


def test_a_visit_cannot_be_done_before_its_date(login, school_a, peksos_budi):
    visit = make_visit(school_a, TUESDAY, peksos_budi, state=Visit.State.AGREED)
    response = login(peksos_budi).post(url("visit-done", visit.pk), follow=True)
    assert Visit.objects.get(pk=visit.pk).state == Visit.State.AGREED
    early = fragment("A visit can be marked done on or after its date.")
    assert any(early in m for m in messages_of(response))


def test_programme_suggests_a_third_date(login, client, visit_a, kepsek_indah, peksos_budi):
    login(kepsek_indah)
    client.post(url("visit-counter", visit_a.pk), {"date": "2026-08-12", "reason": "Ujian"})
    login(peksos_budi)
    response = client.post(
        url("visit-suggest", visit_a.pk), {"date": "2026-08-19", "reason": "Tim penuh"}
    )
    assert response.status_code == 302
    visit_a.refresh_from_db()
    assert (visit_a.state, visit_a.date) == (Visit.State.PROPOSED, date(2026, 8, 19))
    kinds = list(visit_a.changes.values_list("kind", "state"))
    assert kinds == [("usul_sekolah", "ditolak"), ("usul_program", "diterapkan")]
    login(kepsek_indah)
    client.post(url("visit-accept", visit_a.pk))
    assert Visit.objects.get(pk=visit_a.pk).state == Visit.State.AGREED


def test_the_school_cannot_propose_a_non_visit_day(login, visit_a, kepsek_indah):
    response = login(kepsek_indah).post(
        url("visit-counter", visit_a.pk), {"date": INDEPENDENCE_DAY.isoformat(), "reason": "x"}
    )
    assert response.status_code == 200
    assert "Kemerdekaan" in response.content.decode()
    assert not DateChange.objects.exists()


def test_accepting_the_schools_date_checks_the_team(
    login, client, visit_a, kepsek_indah, peksos_budi, school_b
):
    login(kepsek_indah)
    client.post(url("visit-counter", visit_a.pk), {"date": "2026-08-12", "reason": "Ujian"})
    for _ in range(2):  # Budi's day is full
        make_visit(school_b, date(2026, 8, 12), peksos_budi)
    login(peksos_budi)
    response = client.post(url("visit-counter-accept", visit_a.pk), follow=True)
    assert Visit.objects.get(pk=visit_a.pk).state == Visit.State.PROPOSED
    full = fragment("%(name)s already has a full day of visits on %(date)s.")
    assert any(full in m for m in messages_of(response))


# --- moving, locking, cancelling ----------------------------------------------------------------


def move(client, visit, **data):
    payload = {"date": data.pop("date", visit.date.isoformat()), "reason": "", **data}
    payload = {k: v.pk if hasattr(v, "pk") else v for k, v in payload.items()}
    return client.post(url("visit-move", visit.pk), payload)


def test_move_refuses_hard_rules_with_a_clear_message(login, visit_a, peksos_budi):
    client = login(peksos_budi)
    response = move(client, visit_a, date=SATURDAY.isoformat(), peksos=peksos_budi)
    assert response.status_code == 200
    assert fragment("No visit is possible on %(date)s: %(reason)s.") in page_text(response)
    assert Visit.objects.get(pk=visit_a.pk).date == TUESDAY


def test_move_refuses_a_full_staff_day_and_a_missing_psychologist(
    login, school_a, school_b, peksos_budi
):
    training = make_visit(school_a, TUESDAY, peksos_budi, kind=Visit.Kind.TRAINING)
    for _ in range(2):
        make_visit(school_b, WEDNESDAY, peksos_budi)
    response = move(login(peksos_budi), training, date=WEDNESDAY.isoformat(), peksos=peksos_budi)
    page = page_text(response)
    assert fragment("%(name)s already has a full day of visits on %(date)s.") in page
    assert fragment("A psychosocial training needs a psychologist in the team.") in page


def test_move_refuses_visits_too_close_together(login, school_a, peksos_budi):
    make_visit(school_a, date(2026, 9, 1), peksos_budi)
    second = make_visit(school_a, date(2027, 1, 12), peksos_budi)
    response = move(login(peksos_budi), second, date="2026-09-15", peksos=peksos_budi)
    gap = "The school has another visit on %(date)s: visits must be %(weeks)d weeks apart."
    assert fragment(gap) in page_text(response)


def test_move_warns_about_soft_rules_and_saves_after_confirmation(
    login, client, visit_a, school_b, peksos_budi
):
    make_visit(school_b, WEDNESDAY, peksos_budi)
    School.objects.filter(pk=school_b.pk).update(kecamatan_id=visit_a.school.kecamatan_id + 1)
    login(peksos_budi)
    response = move(client, visit_a, date=WEDNESDAY.isoformat(), peksos=peksos_budi)
    assert response.status_code == 200
    also = "The team also visits %(school)s in Kecamatan %(kecamatan)s that day."
    assert fragment(also) in page_text(response)
    assert Visit.objects.get(pk=visit_a.pk).date == TUESDAY
    response = move(client, visit_a, date=WEDNESDAY.isoformat(), peksos=peksos_budi, confirm="on")
    assert response.status_code == 302
    visit_a.refresh_from_db()
    assert visit_a.date == WEDNESDAY
    assert visit_a.changes.get().kind == DateChange.Kind.MOVE


def test_moving_an_agreed_visit_keeps_it_as_rescheduled(
    login, school_a, peksos_budi, psikolog_gita
):
    agreed = make_visit(school_a, TUESDAY, peksos_budi, state=Visit.State.AGREED)
    response = move(
        login(peksos_budi),
        agreed,
        date=WEDNESDAY.isoformat(),
        peksos=peksos_budi,
        psikolog=psikolog_gita,
        reason="Bentrok rapat",
    )
    agreed.refresh_from_db()
    new = Visit.objects.get(rescheduled_from=agreed)
    assert response["Location"] == url("visit-detail", new.pk)
    assert agreed.state == Visit.State.RESCHEDULED and agreed.date == TUESDAY
    assert (new.state, new.date) == (Visit.State.PROPOSED, WEDNESDAY)
    assert set(new.members.values_list("user", "role")) == {
        (peksos_budi.pk, "peksos"),
        (psikolog_gita.pk, "psikolog"),
    }
    assert agreed.changes.get().reason == "Bentrok rapat"


def test_lock_unlock_and_cancel(login, client, visit_a, peksos_budi, kepsek_indah):
    login(peksos_budi)
    client.post(url("visit-lock", visit_a.pk))
    assert Visit.objects.get(pk=visit_a.pk).locked
    client.post(url("visit-unlock", visit_a.pk))
    assert not Visit.objects.get(pk=visit_a.pk).locked
    client.post(url("visit-cancel", visit_a.pk), {"reason": "Banjir"})
    visit_a.refresh_from_db()
    assert (visit_a.state, visit_a.cancel_reason) == (Visit.State.CANCELLED, "Banjir")
    assert [kepsek_indah.email] in emails()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"visit_locked", "visit_unlocked", "visit_cancelled"} <= actions


# --- the calendar feed --------------------------------------------------------------------------


def test_the_calendar_feed_shows_only_the_members_visits(
    login, client, visit_a, school_b, peksos_budi, peksos_joko_sdn2
):
    make_visit(school_b, WEDNESDAY, peksos_joko_sdn2)
    login(peksos_budi)
    client.post(url("feed-create"))
    page = client.get(url("feed-detail")).content.decode()
    feed_url = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    assert client.get(url("feed-detail")).content.decode().count(feed_url) == 0  # shown once
    client.logout()
    response = client.get(feed_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [f"Kunjungan PEKSOS: {visit_a.school.name}"] or [
        str(e["summary"]) for e in events
    ] == [f"PEKSOS visit: {visit_a.school.name}"]
    assert events[0].decoded("dtstart") == TUESDAY
    assert CalendarFeedToken.objects.get().last_used_at is not None
    login(peksos_budi)
    client.post(url("feed-revoke"))
    client.logout()
    assert client.get(feed_url).status_code == 404


def test_a_new_feed_address_stops_the_old_one(login, client, peksos_budi):
    login(peksos_budi)
    client.post(url("feed-create"))
    first = client.get(url("feed-detail")).context["feed_url"]
    client.post(url("feed-create"))
    second = client.get(url("feed-detail")).context["feed_url"]
    client.logout()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_feed_of_a_deactivated_member_is_gone(login, client, peksos_budi):
    login(peksos_budi)
    client.post(url("feed-create"))
    feed = client.get(url("feed-detail")).context["feed_url"]
    peksos_budi.deactivate()
    client.logout()
    assert client.get(feed).status_code == 404


@pytest.mark.parametrize("token", ["x", "a" * 101, "%00", "..%2f"])
def test_unknown_feed_tokens_are_404(client, db, token):
    assert client.get(f"/kunjungan/kalender/{token}.ics").status_code == 404


def test_feed_needs_no_second_factor_or_session(client, db, peksos_budi):
    _token, raw = CalendarFeedToken.issue(peksos_budi)
    response = client.get(url("feed-ics", raw))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# --- staff capacity -----------------------------------------------------------------------------


def test_koordinator_sets_capacity_and_leave(login, client, koordinator_ani, peksos_budi):
    login(koordinator_ani)
    response = client.post(
        url("capacity-edit", peksos_budi.pk), {"per_day": 3, "per_week": 12, "weekdays_off": [4]}
    )
    assert response.status_code == 302
    capacity = StaffCapacity.objects.get(user=peksos_budi)
    assert (capacity.per_day, capacity.per_week, capacity.weekdays_off) == (3, 12, [4])
    client.post(
        url("leave-create", peksos_budi.pk),
        {"starts_on": "2026-08-03", "ends_on": "2026-08-07", "reason": "Diklat"},
    )
    leave = StaffLeave.objects.get()
    assert leave.covers(TUESDAY)
    client.post(url("leave-delete", leave.pk))
    assert not StaffLeave.objects.exists()


def test_leave_blocks_a_move(login, visit_a, peksos_budi):
    StaffLeave.objects.create(
        user=peksos_budi, starts_on=WEDNESDAY, ends_on=WEDNESDAY, reason="Cuti"
    )
    response = move(login(peksos_budi), visit_a, date=WEDNESDAY.isoformat(), peksos=peksos_budi)
    assert fragment("%(name)s is on leave on %(date)s.") in page_text(response)


def test_reschedule_chain_is_linked_both_ways(login, school_a, peksos_budi):
    agreed = make_visit(school_a, TUESDAY, peksos_budi, state=Visit.State.AGREED)
    move(login(peksos_budi), agreed, date=WEDNESDAY.isoformat(), peksos=peksos_budi)
    new = Visit.objects.get(rescheduled_from=agreed)
    page = login(peksos_budi).get(url("visit-detail", agreed.pk)).content.decode()
    assert url("visit-detail", new.pk) in page
    assert timedelta(days=1) == new.date - agreed.date


def test_reminders_go_once_the_day_before(school_a, school_b, peksos_budi, psikolog_gita):
    from visits.tasks import send_visit_reminders

    make_visit(school_a, date(2026, 7, 7), peksos_budi, psikolog_gita, state=Visit.State.AGREED)
    make_visit(school_b, date(2026, 7, 7), peksos_budi)  # only proposed: no reminder
    make_visit(school_b, date(2026, 7, 8), peksos_budi, state=Visit.State.AGREED)  # not tomorrow
    assert send_visit_reminders() == 1
    assert send_visit_reminders() == 0  # run twice: reminded once
    assert sorted(emails()) == [[peksos_budi.email], [psikolog_gita.email]]
