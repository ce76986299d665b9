"""`seed_demo --year` (demo/year/): refused without PEKSOS_DEMO=1, every state of the year
present, dates counted from today, fast enough for `make run`, and a second run changes
nothing."""

import time
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Avg
from django.utils import timezone

from activities.models import Activity, AttendanceCount, Feedback, KnowledgeAttempt
from forum.figures import register_forum
from forum.models import Question
from monitoring.models import ChildRecord, Consent, SdqScore
from peksos.accounts.models import User
from peksos.core import school_year
from peksos.core.models import AuditEvent, OutboxMessage
from reports.models import Report
from schools.figures import register_figures
from schools.models import PriorityBand, School
from sosdesk.models import Case, DeskMember
from visits.compliance import compliance_rows, totals
from visits.figures import panel_figures as visit_figures
from visits.figures import register_totals
from visits.models import DateChange, StaffCapacity, StaffLeave, Visit

# Generous: the target is a minute on two idle cores; the test machine is shared.
SECONDS = 240


def table_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed}


@pytest.mark.django_db
def test_the_year_is_refused_without_peksos_demo(settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="PEKSOS_DEMO=1"):
        call_command("seed_demo", "--year", stdout=StringIO())
    # refused before anything was written
    assert not User.objects.exists()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_whole_year_in_every_state_made_once(settings):
    settings.DEMO = True
    started = time.monotonic()
    seeded = StringIO()
    call_command("seed_demo", "--year", stdout=seeded)
    assert time.monotonic() - started < SECONDS
    today, now = timezone.localdate(), timezone.now()

    # visits in every state; a done visit was agreed first (audit), a counter-proposal waits
    states = {s: Visit.objects.filter(state=s).count() for s in Visit.State.values}
    for state in (
        Visit.State.DONE,
        Visit.State.AGREED,
        Visit.State.PROPOSED,
        Visit.State.CANCELLED,
    ):
        assert states[state] >= 3, states
    done = Visit.objects.filter(state=Visit.State.DONE)
    assert all(v.date < today for v in done)
    year_agreed = Visit.objects.filter(state=Visit.State.AGREED, plan__isnull=False)
    assert all(v.date > today for v in year_agreed)
    agreed_ids = set(
        AuditEvent.objects.filter(action="visit_agreed").values_list("object_id", flat=True)
    )
    assert {str(v.pk) for v in done} <= agreed_ids
    assert DateChange.objects.filter(
        kind=DateChange.Kind.COUNTER, state=DateChange.State.PENDING
    ).exists()

    # activities of the three kinds held, with attendance and feedback
    held = Activity.objects.filter(state=Activity.State.HELD)
    assert set(held.values_list("kind", flat=True)) == set(Activity.Kind.values)
    assert AttendanceCount.objects.filter(activity__in=held, count__gt=0).count() >= 24
    assert Feedback.objects.filter(activity__in=held).count() >= 24
    for phase in ("awal", "akhir"):
        assert KnowledgeAttempt.objects.filter(activity__in=held, phase=phase).count() >= 100
    assert (
        KnowledgeAttempt.objects.filter(phase="akhir").aggregate(m=Avg("score"))["m"]
        > KnowledgeAttempt.objects.filter(phase="awal").aggregate(m=Avg("score"))["m"]
    )

    # staff with capacities and a leave; TPPK members at the demo schools
    assert StaffCapacity.objects.count() >= 20
    assert StaffLeave.objects.filter(starts_on__gt=today).exists()
    assert DeskMember.objects.count() >= 24 * 2

    # about forty cases, every status, some overdue, one police clock running, one reported
    cases = Case.objects.all()
    assert 35 <= cases.count() <= 45
    assert set(cases.values_list("status", flat=True)) == set(Case.Status.values)
    assert cases.open().filter(stage_due_at__lt=now).count() >= 3
    assert cases.filter(police_due_at__gt=now, police_clock_closed_at__isnull=True).count() == 1
    assert cases.filter(status=Case.Status.CLOSED).exclude(police_report_ref="").exists()

    # about fifteen children in support, each with consent and an SDQ trend
    records = ChildRecord.objects.without_identity()
    assert records.count() == 15
    assert Consent.objects.values("record").distinct().count() == 15
    assert SdqScore.objects.count() >= 30

    # forum threads with accepted answers, one post held
    assert Question.objects.filter(accepted_answer__isnull=False).count() >= 4
    assert Question.objects.filter(status=Question.Status.PENDING).count() == 1

    # the schools spread over the three priority bands
    for band in (PriorityBand.HIGH, PriorityBand.MEDIUM, PriorityBand.LOW):
        assert School.objects.filter(priority_band=band).count() >= 50, band

    # one city report asked for (rendered by the worker, or right after the seed's commit)
    assert Report.objects.filter(kind=Report.Kind.CITY, idempotency_key__isnull=False).count() == 1
    assert OutboxMessage.objects.filter(kind="reports.tasks.render_report").count() == 1

    # no e-mail about made-up cases leaves the demo
    assert not OutboxMessage.objects.filter(kind="peksos.core.tasks.send_email").exists()

    # the register-wide figures were counted as the rows were written: the seed's final check
    # (the nightly one) had nothing to repair, and the dashboard shows the live numbers
    assert "diperbaiki" not in seeded.getvalue()
    assert not AuditEvent.objects.filter(action="tallies.drift_repaired").exists()
    figures = {
        **register_figures(today),
        **visit_figures(today),
        **register_totals(school_year.year_of(today), today),
    }
    live = totals(
        compliance_rows(
            School.objects.active(), school_year.year_of(today), today, "kecamatan__name"
        )
    )
    assert {k: figures[k] for k in live} == live and live["done_1"] + live["done_2"] >= 20
    assert (
        figures["not_visited"]
        == School.objects.active().not_visited_since(school_year.start_of(today)).count()
    )
    assert (
        register_forum()
        == {
            "pending": Question.objects.filter(status=Question.Status.PENDING).count(),
            "unanswered": Question.objects.filter(
                status=Question.Status.PUBLISHED, answer_count=0
            ).count(),
        }
        == {"pending": 1, "unanswered": 1}
    )

    # a second run finds the year and changes nothing
    before = table_counts()
    out = StringIO()
    call_command("seed_demo", "--year", stdout=out)
    assert "tidak ada yang diubah" in out.getvalue()
    assert table_counts() == before


@pytest.mark.django_db
def test_pages_say_data_contoh_in_a_demo_only(client, settings):
    settings.DEMO = False
    assert "DATA CONTOH" not in client.get("/masuk/").content.decode()
    settings.DEMO = True
    assert "DATA CONTOH" in client.get("/masuk/").content.decode()
