"""The year's plan: visits in every state, made through the visits services (a done visit
was agreed first; a counter-proposal waits for the programme's answer), and the activities
of the three kinds with their attendance and feedback."""

from datetime import time, timedelta

from activities.models import Activity, AttendanceCount, Feedback
from peksos.accounts.models import Role, User
from peksos.core.refusals import Refusal
from schools.models import School
from visits import services
from visits.models import Visit, VisitMember

from . import knowledge

# (state, how many, first and last day counted from today)
PLAN = [
    ("done", 24, -160, -5),
    ("agreed", 12, 3, 45),
    ("proposed", 10, 20, 90),
    ("countered", 5, 20, 90),
    ("cancelled", 5, -60, 30),
]
KINDS = [Visit.Kind.CAMPAIGN, Visit.Kind.TRAINING, Visit.Kind.ONE_DAY]
PROGRAMME = {
    Visit.Kind.CAMPAIGN: (["penyuluhan", "sosialisasi_uu"], ["siswa_sd", "guru"]),
    Visit.Kind.TRAINING: (["workshop_psikososial", "komunikasi_efektif"], ["guru", "orang_tua"]),
    Visit.Kind.ONE_DAY: (["permainan_kelompok", "quality_time"], ["siswa_sd", "orang_tua"]),
}
GROUPS = {
    Visit.Kind.CAMPAIGN: [("siswa_sd", 30, 45), ("guru", 4, 10)],
    Visit.Kind.TRAINING: [("guru", 6, 14), ("orang_tua", 10, 25)],
    Visit.Kind.ONE_DAY: [("siswa_sd", 40, 70), ("orang_tua", 15, 30), ("guru", 3, 8)],
}


def weekday(day):
    return day - timedelta(days=max(0, day.weekday() - 4))


def make(year) -> None:
    rng, today = year.rng, year.today
    koordinator = User.objects.filter(role=Role.KOORDINATOR).order_by("pk").first()
    total = sum(n for _s, n, _a, _b in PLAN)
    schools = list(School.objects.filter(level__in=["SD", "MI", "SMP", "MTs"]).order_by("npsn"))
    chosen = rng.sample(schools, total)
    visits_made, held = 0, []
    for state, count, first, last in PLAN:
        for _ in range(count):
            school = chosen[visits_made]
            kind = KINDS[visits_made % 3]
            visits_made += 1
            day = weekday(today + timedelta(days=rng.randint(first, last)))
            team = year.staff[school.kecamatan_id]
            visit = Visit(school=school, kind=kind, state=Visit.State.PROPOSED, plan=year.plan)
            visit.needs_pendamping = kind == Visit.Kind.ONE_DAY
            visit.created_by = koordinator
            visit.set_date(day)
            visit.save()
            members = [team["peksos"][visits_made % 2], team["psikolog"][0]]
            if kind == Visit.Kind.ONE_DAY:
                members.append(team["pendamping"][0])
            VisitMember.objects.bulk_create(
                VisitMember(visit=visit, user=u, role=u.role) for u in members
            )
            school_side = year.principals.get(school.pk, koordinator)
            if state in ("done", "agreed"):
                services.visit_accept(visit=visit, by=school_side)
            if state == "done":
                services.visit_done(visit=visit, by=members[0])
                held.append(_activity(year, visit, members, held=True))
            elif state == "agreed":
                _activity(year, visit, members, held=False)
            elif state == "countered":
                _counter(visit, day, school_side)
            elif state == "cancelled":
                services.visit_cancel(
                    visit=visit, reason="Sekolah diliburkan karena banjir.", by=koordinator
                )
    year.counts["kunjungan"] = visits_made
    year.counts["kegiatan terlaksana"] = len(held)
    year.counts["kegiatan dengan tes"] = knowledge.make(year, held, koordinator)


def _counter(visit, day, by) -> None:
    """The school proposes the first free weekday a week or two later."""
    for offset in range(7, 21):
        try:
            services.visit_counter(
                visit=visit,
                day=weekday(day + timedelta(days=offset)),
                reason="Minggu itu ada ujian tengah semester.",
                by=by,
            )
            return
        except Refusal:
            continue
    raise Refusal(["no free day for the demo counter-proposal"])


def _activity(year, visit, members, *, held: bool) -> Activity:
    rng = year.rng
    subs, audiences = PROGRAMME[visit.kind]
    activity = Activity.objects.create(
        visit=visit,
        kind=visit.kind,
        date=visit.date,
        start_time=time(8, 0),
        sub_activities=subs,
        audiences=audiences,
        created_by=members[0],
    )
    activity.facilitators.set(members)
    if not held:
        return activity
    activity.state = Activity.State.HELD
    activity.duration_minutes = rng.choice([90, 120, 150])
    activity.recorded_at = year.now - timedelta(days=(year.today - visit.date).days)
    activity.recorded_by = members[0]
    activity.save()
    for group, low, high in GROUPS[visit.kind]:
        for sex in ("L", "P"):
            AttendanceCount.objects.create(
                activity=activity, group=group, sex=sex, count=rng.randint(low, high) // 2
            )
    Feedback.objects.bulk_create(
        Feedback(
            activity=activity,
            satisfaction=rng.choice([3, 4, 4, 5, 5]),
            usefulness=rng.choice([3, 4, 5, 5]),
            clarity=rng.choice([3, 4, 4, 5]),
            group=GROUPS[visit.kind][-1][0],
            device_hash=f"demo-{activity.pk}-{n}",
            submitted_on=visit.date,
        )
        for n in range(rng.randint(5, 12))
    )
    return activity
