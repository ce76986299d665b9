"""About 40 SOS Desk cases across every status, made through the sosdesk services and then
aged (every timestamp of a case moved back by the same span), so some are overdue, one
police clock is running and one case was closed with a police report reference."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F

from peksos.accounts.models import Role, User
from peksos.core import tallies
from schools.models import School
from sosdesk import services
from sosdesk.models import Case, CaseEvent, Partner

S = Case.Status
# (final status, how many, how many of them overdue)
MIX = [(S.RECEIVED, 6, 2), (S.VERIFYING, 7, 2), (S.HANDLING, 10, 3), (S.REFERRED, 6, 1)]
CLOSED = 10
PATH = {
    S.RECEIVED: [],
    S.VERIFYING: [S.VERIFYING],
    S.HANDLING: [S.VERIFYING, S.HANDLING],
    S.CLOSED: [S.VERIFYING, S.HANDLING, S.CLOSED],
}
SPAN = {
    S.RECEIVED: timedelta(hours=24),
    S.VERIFYING: timedelta(hours=72),
    S.HANDLING: timedelta(days=14),
    S.REFERRED: timedelta(days=7),
}
STORIES = [
    ("perundungan", "verbal", "Murid kelas 5 diejek dan dijauhi teman sekelasnya sejak sebulan."),
    ("fisik", "fisik", "Seorang murid dipukul kakak kelas saat istirahat di belakang kantin."),
    ("psikis", "verbal", "Murid sering dibentak dan dipermalukan di depan kelas."),
    ("perundungan", "daring", "Foto murid diedit dan disebarkan di grup WhatsApp kelas."),
    ("diskriminasi", "verbal", "Murid dilarang ikut kegiatan karena agamanya."),
    ("fisik", "fisik", "Murid didorong hingga jatuh dari tangga oleh teman sekelas."),
]
OUTCOMES = [
    Case.Outcome.RESOLVED,
    Case.Outcome.RESOLVED,
    Case.Outcome.REFERRED_DONE,
    Case.Outcome.UNFOUNDED,
    Case.Outcome.DUPLICATE,
    Case.Outcome.WITHDRAWN,
]


def make(year) -> None:
    rng = year.rng
    koordinator = User.objects.filter(role=Role.KOORDINATOR).order_by("pk").first()
    schools = list(School.objects.filter(pk__in=year.officers).order_by("npsn"))
    others = list(School.objects.exclude(pk__in=year.officers).order_by("npsn"))
    schools += rng.sample(others, 8)
    plan = [(status, n < overdue) for status, count, overdue in MIX for n in range(count)]
    plan += [(S.CLOSED, False)] * CLOSED
    made = []
    for i, (status, overdue) in enumerate(plan):
        school = schools[i % len(schools)]
        officer = year.officers.get(school.pk, koordinator)
        form, modality, story = STORIES[i % len(STORIES)]
        receipt = services.case_file(
            school=school,
            channel=rng.choice([Case.Channel.PUBLIC_FORM, Case.Channel.IN_PERSON]),
            narrative=story,
            forms=[form],
            modalities=[modality],
            scope="dalam",
            affected=["murid"],
            ongoing_danger="tidak",
            idempotency_key=f"demo-year-{i}",
            alert=False,
        )
        case = receipt.case
        if status != S.RECEIVED:
            services.case_triage(
                case=case,
                urgency=rng.choice([Case.Urgency.HIGH, Case.Urgency.MEDIUM, Case.Urgency.LOW]),
                forms=[form],
                modalities=[modality],
                by=officer,
            )
        _walk(year, case, status, i, officer)
        if status == S.CLOSED:
            age = timedelta(days=rng.randint(20, 200))
        elif overdue:
            age = SPAN[status] + timedelta(hours=rng.randint(6, 96))
        else:
            age = SPAN[status] * rng.uniform(0.1, 0.6)
        made.append((case, age))
    made += _sexual_violence(year, schools, koordinator)
    for case, age in made:
        _age(case, age)
    year.counts["kasus"] = len(made)


def _walk(year, case, status, i, officer) -> None:
    if status == S.REFERRED:
        services.case_transition(case=case, to=S.VERIFYING, by=officer)
        psikolog = year.staff[case.school.kecamatan_id]["psikolog"][0]
        services.case_refer(
            case=case,
            partner=Partner.PSIKOLOG if i % 2 else Partner.UPTD_PPA,
            reason="Anak perlu pendampingan psikologis.",
            psikolog=psikolog,
            by=officer,
        )
        return
    for step in PATH[status]:
        outcome = OUTCOMES[i % len(OUTCOMES)] if step == S.CLOSED else ""
        services.case_transition(case=case, to=step, by=officer, outcome=outcome)


def _sexual_violence(year, schools, koordinator) -> list:
    """One case whose 72-hour police clock is running, one closed with a police reference."""
    made = []
    for n, closed in enumerate((False, True)):
        school = schools[n]
        officer = year.officers.get(school.pk, koordinator)
        case = services.case_file(
            school=school,
            channel=Case.Channel.IN_PERSON,
            narrative="Murid bercerita disentuh secara tidak pantas oleh orang dewasa.",
            forms=["seksual"],
            modalities=["fisik"],
            scope="dalam",
            affected=["murid"],
            ongoing_danger="tidak",
            idempotency_key=f"demo-year-sv-{n}",
            by=officer,
            alert=False,
        ).case
        services.case_triage(
            case=case,
            urgency=Case.Urgency.HIGH,
            forms=["seksual"],
            modalities=["fisik"],
            by=officer,
        )
        services.case_transition(case=case, to=S.VERIFYING, by=officer)
        if closed:
            services.case_police_report(
                case=case, reference="LP/B/123/2026/POLRES METRO", by=officer
            )
            services.case_transition(case=case, to=S.HANDLING, by=officer)
            services.case_transition(
                case=case, to=S.CLOSED, by=officer, outcome=Case.Outcome.REFERRED_DONE
            )
            made.append((case, timedelta(days=45)))
        else:
            made.append((case, timedelta(hours=30)))
    return made


def _age(case, age) -> None:
    moved = {
        name: F(name) - age
        for name in (
            "received_at",
            "stage_changed_at",
            "stage_due_at",
            "closed_at",
            "police_due_at",
            "police_clock_closed_at",
        )
    }
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(**moved)
        CaseEvent.objects.filter(case=case).update(at=F("at") - age)
        # The day of receipt and the stage times moved: the register-wide figures with them
        # (sosdesk/figure_tallies.py; `update` bypasses the models' own call).
        tallies.changed("cases", [case.school_id])
