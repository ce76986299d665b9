"""About 15 children in support: each with the guardian's consent, a plan (approved for most),
a goal with scores, an intervention and SDQ scores over months that show a trend. Made
through the monitoring services (consent before support, the plan's approval, the totals)."""

from datetime import timedelta

from monitoring import services
from monitoring.models import ChildRecord, Consent, Intervention
from peksos.accounts.models import Role, User
from sosdesk.models import Case

from .names import FIRST

CHILDREN = 15
GOALS = [
    "Berani bercerita kepada guru BK bila diejek",
    "Kembali masuk sekolah setiap hari",
    "Bermain bersama teman sekelas saat istirahat",
    "Tidur cukup dan tidak lagi mimpi buruk",
]


def make(year) -> None:
    rng, today = year.rng, year.today
    koordinator = User.objects.filter(role=Role.KOORDINATOR).order_by("pk").first()
    cases = list(
        Case.objects.filter(idempotency_key__startswith="demo-year-")
        .select_related("school")
        .order_by("idempotency_key")
    )
    for n in range(CHILDREN):
        case = cases[n * 2 % len(cases)] if n < 10 else None
        school = case.school if case else cases[n].school
        team = year.staff[school.kecamatan_id]
        peksos, psikolog = team["peksos"][n % 2], team["psikolog"][0]
        level = rng.choice(["3", "4", "5", "6", "7", "8"])
        record = services.record_open(
            school=school,
            class_level=level,
            sex=rng.choice(["L", "P"]),
            birth_year=today.year - 6 - int(level),
            name=f"{rng.choice(FIRST)} (anak contoh {n + 1})",
            tier=ChildRecord.Tier.INDIVIDUAL if n % 3 else ChildRecord.Tier.GROUP,
            case=case,
            peksos=peksos,
            idempotency_key=f"demo-year-child-{n}",
            by=peksos,
        )
        months = rng.randint(3, 8)
        started = today - timedelta(days=30 * months)
        services.consent_record(
            record=record,
            purpose=Consent.Purpose.SUPPORT,
            given_by=rng.choice(["ibu", "ayah", "wali"]),
            given_on=started,
            method=Consent.Method.VERBAL,
            witness="Guru BK sekolah",
            by=peksos,
        )
        services.plan_save(
            record=record,
            tier=record.tier,
            needs="Anak merasa takut dan menarik diri sejak kejadian; perlu rasa aman di kelas.",
            by=peksos,
        )
        if n % 4:
            services.plan_approve(record=record, by=koordinator)
        goal = services.goal_add(
            record=record,
            description=GOALS[n % len(GOALS)],
            target_date=today + timedelta(days=60),
            by=peksos,
        )
        services.intervention_add(
            record=record,
            kind=Intervention.Kind.COUNSELLING if n % 2 else Intervention.Kind.PLAY_THERAPY,
            provider=psikolog.get_full_name(),
            frequency=Intervention.Frequency.WEEKLY,
            starts_on=started + timedelta(days=7),
            by=peksos,
        )
        _trend(year, record, goal, started, months, peksos)
        ChildRecord.objects.filter(pk=record.pk).update(created_at=year.now - (today - started))
    year.counts["anak didampingi"] = CHILDREN


def _trend(year, record, goal, started, months, by) -> None:
    """SDQ every two months and a goal score every month, mostly getting better."""
    rng = year.rng
    difficulty = rng.randint(18, 26)
    for step in range(0, months + 1, 2):
        day = min(started + timedelta(days=30 * step), year.today)
        parts = _split(rng, difficulty)
        services.sdq_add(
            record=record,
            informant="orang_tua",
            taken_on=day,
            emotional=parts[0],
            conduct=parts[1],
            hyperactivity=parts[2],
            peer=parts[3],
            prosocial=rng.randint(4, 9),
            by=by,
        )
        difficulty = max(4, difficulty - rng.randint(0, 5))
    for step in range(1, months + 1):
        services.goal_score(
            goal=goal,
            score=min(2, -2 + step // 2 + rng.randint(0, 1)),
            scored_on=started + timedelta(days=30 * step - 3),
            by=by,
        )


def _split(rng, total: int) -> list[int]:
    """Four SDQ difficulty subscales (0-10 each) adding up to `total`."""
    parts = [0, 0, 0, 0]
    for _ in range(total):
        free = [i for i in range(4) if parts[i] < 10]
        parts[rng.choice(free)] += 1
    return parts
