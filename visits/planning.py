"""From the database to the planner and back: the planner's input for a school year, and the
plan saved with bulk inserts. `activities.services.plan_generate` wraps both with the audit
row and the e-mails; the benchmark calls them directly.

What re-planning keeps: every visit that is locked, agreed, done, or waiting for the
programme's answer to a date the school proposed, and every visit of the schools not being
planned. They count for their school and use their team's capacity. What it replaces: the
unlocked proposals of the schools being planned.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from peksos.accounts.models import Role, User
from peksos.core import school_year, tallies
from schools.calendar import blocked_periods, blocked_periods_by_school, non_visit_days
from schools.models import School, SchoolMembership

from . import planner
from .models import (
    DEFAULT_PER_DAY,
    DEFAULT_PER_WEEK,
    STAFF_ROLES,
    DateChange,
    PlanRun,
    StaffLeave,
    Visit,
    VisitMember,
)

BATCH = 2000
CHUNK = 2000  # school ids per calendar query


# The plan form's default (issue 18): the campaign in semester 1, the psychosocial training and
# One Day for Children in semester 2.
DEFAULT_KINDS_1 = (str(Visit.Kind.CAMPAIGN),)
DEFAULT_KINDS_2 = (str(Visit.Kind.TRAINING), str(Visit.Kind.ONE_DAY))


@dataclass(frozen=True)
class PlanOptions:
    year: int
    # The activity kinds of each semester: one visit per school for each (visits.plan_kinds).
    kinds_semester_1: tuple[str, ...] = DEFAULT_KINDS_1
    kinds_semester_2: tuple[str, ...] = DEFAULT_KINDS_2
    pendamping_always: bool = False
    min_gap_weeks: int = 8
    lead_days: int = 7  # the school needs time to answer: no visit sooner than this

    def rules(self, today: date) -> planner.Rules:
        month = school_year.start_month()
        start = school_year.bounds(self.year, month=month)[0]
        return planner.Rules(
            year=self.year,
            start_month=month,
            earliest=max(start, today + timedelta(days=self.lead_days)),
            min_gap_days=self.min_gap_weeks * 7,
            kinds=(
                tuple(str(k) for k in self.kinds_semester_1),
                tuple(str(k) for k in self.kinds_semester_2),
            ),
            psikolog_kinds=frozenset(str(k) for k in Visit.PSIKOLOG_KINDS),
            pendamping_kinds=frozenset(str(k) for k in Visit.PENDAMPING_KINDS),
            pendamping_always=self.pendamping_always,
        )

    def as_json(self) -> dict:
        def plain(value):
            if isinstance(value, (int, bool)):
                return value
            if isinstance(value, (tuple, list)):
                return [str(v) for v in value]
            return str(value)

        return {k: plain(v) for k, v in asdict(self).items()}


def replaceable(year: int, schools: QuerySet[School]) -> QuerySet[Visit]:
    """The proposals a new plan replaces (see the module docstring)."""
    pending = DateChange.objects.filter(state=DateChange.State.PENDING).values("visit")
    return (
        Visit.objects.in_school_year(year)
        .filter(state=Visit.State.PROPOSED, locked=False, school__in=schools.values("pk"))
        .exclude(pk__in=pending)
    )


def load_staff(start: date, end: date) -> list[planner.StaffIn]:
    users = User.objects.filter(is_active=True, role__in=STAFF_ROLES).select_related(
        "visit_capacity"
    )
    leave: dict[int, set[date]] = defaultdict(set)
    for period in StaffLeave.objects.filter(starts_on__lte=end, ends_on__gte=start):
        day = max(period.starts_on, start)
        while day <= min(period.ends_on, end):
            leave[period.user_id].add(day)
            day += timedelta(days=1)
    staff = []
    for user in users.order_by("pk"):
        capacity = getattr(user, "visit_capacity", None)
        staff.append(
            planner.StaffIn(
                id=user.pk,
                role=user.role,
                per_day=capacity.per_day if capacity else DEFAULT_PER_DAY,
                per_week=capacity.per_week if capacity else DEFAULT_PER_WEEK,
                weekdays_off=frozenset(capacity.weekdays_off if capacity else ()),
                days_off=frozenset(leave.get(user.pk, ())),
            )
        )
    return staff


def load_calendar(
    school_ids: list[int], start: date, end: date
) -> tuple[frozenset[date], dict[int, frozenset[date]]]:
    """(days closed for every school, extra days blocked per school), from schools.calendar."""
    city = list(blocked_periods(None, start, end))
    closed = frozenset(non_visit_days(None, start, end, periods=city))
    blocked: dict[int, frozenset[date]] = {}
    for i in range(0, len(school_ids), CHUNK):
        by_school = blocked_periods_by_school(school_ids[i : i + CHUNK], start, end)
        for school_id, periods in by_school.items():
            if any(p.school_id is not None for p in periods):
                days = non_visit_days(None, start, end, periods=periods)
                blocked[school_id] = frozenset(days) - closed
    return closed, blocked


def build_problem(
    options: PlanOptions, schools: QuerySet[School], *, today: date | None = None
) -> planner.Problem:
    today = today or timezone.localdate()
    start, end = school_year.bounds(options.year)
    own: dict[int, list[int]] = defaultdict(list)
    memberships = SchoolMembership.objects.filter(
        school__in=schools.values("pk"), user__role=Role.PEKSOS, user__is_active=True
    ).order_by("user_id")
    for school_id, user_id in memberships.values_list("school_id", "user_id"):
        own[school_id].append(user_id)
    rows = list(schools.order_by("pk").values_list("pk", "kecamatan__code", "priority_rank"))
    school_in = [
        planner.SchoolIn(id=pk, kecamatan=kec, priority=rank, peksos=tuple(own.get(pk, ())))
        for pk, kec, rank in rows
    ]
    closed, blocked = load_calendar([pk for pk, _, _ in rows], start, end)
    replaced = replaceable(options.year, schools).values("pk")
    kept = (
        Visit.objects.in_school_year(options.year)
        .active()
        .exclude(pk__in=replaced)
        .values_list("pk", "school_id", "date", "kind")
    )
    team: dict[int, list[int]] = defaultdict(list)
    kept = list(kept)
    members = VisitMember.objects.filter(
        visit__school_year=options.year, visit__state__in=Visit.ACTIVE_STATES
    ).exclude(visit__in=replaced)
    for visit_id, user_id in members.values_list("visit_id", "user_id"):
        team[visit_id].append(user_id)
    fixed = [
        planner.FixedVisit(sid, day, tuple(team.get(pk, ())), kind) for pk, sid, day, kind in kept
    ]
    return planner.Problem(
        rules=options.rules(today),
        schools=school_in,
        staff=load_staff(start, end),
        closed_days=closed,
        blocked=blocked,
        fixed=fixed,
    )


def _adapter(field):
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None


def bulk_insert(model: type[models.Model], fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert plain rows without building model instances: PostgreSQL's COPY, or batched
    executemany elsewhere (about 10x faster than bulk_create for a national plan). Values
    must already be what the fields store; dates and datetimes are adapted here."""
    columns = [model._meta.get_field(name) for name in fields]
    adapters = [(i, a) for i, f in enumerate(columns) if (a := _adapter(f)) is not None]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)

    memo: dict[tuple[int, object], object] = {}  # a plan has few distinct dates

    def adapted(row: tuple) -> tuple:
        if not adapters:
            return row
        row = list(row)
        for i, adapt in adapters:
            key = (i, row[i])
            value = memo.get(key)
            if value is None:
                value = memo[key] = adapt(row[i])
            row[i] = value
        return tuple(row)

    count = 0
    with planner.gc_paused(), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(adapted(row))
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        # Table and column names come from the model's metadata, quoted: no user input.
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608  # nosec B608
        batch = []
        for row in rows:
            batch.append(adapted(row))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


VISIT_FIELDS = [
    "school",
    "date",
    "school_year",
    "semester",
    "state",
    "kind",
    "needs_pendamping",
    "locked",
    "plan",
    "cancel_reason",  # origin and override_reason: their database default ""
    "created_by",
    "created_at",
    "updated_at",
]


def save_plan(
    *,
    options: PlanOptions,
    schools: QuerySet[School],
    problem: planner.Problem,
    result: planner.Plan,
    by: User | None,
    duration_ms: int = 0,
) -> PlanRun:
    """Replace the old proposals with the plan's visits, in one transaction."""
    now = timezone.now()
    needs_pendamping = {str(kind): problem.rules.needs(kind)[1] for kind in Visit.Kind}
    by_id = by.pk if by else None
    with transaction.atomic():
        _, deleted = replaceable(options.year, schools).delete()
        run = PlanRun.objects.create(
            school_year=options.year,
            created_by=by,
            created_at=now,
            options=options.as_json(),
            schools=len(problem.schools),
            placed=len(result.placements),
            kept=len(problem.fixed),
            removed=deleted.get(Visit._meta.label, 0),
            unplaced=[
                {"school": u.school_id, "semester": u.semester, "reason": u.reason, "kind": u.kind}
                for u in result.unplaced
            ],
            duration_ms=duration_ms,
        )
        proposed = str(Visit.State.PROPOSED)
        bulk_insert(
            Visit,
            VISIT_FIELDS,
            (
                (
                    p.school_id,
                    p.day,
                    options.year,
                    p.semester,
                    proposed,
                    p.kind,
                    needs_pendamping.get(p.kind, False),
                    False,
                    run.pk,
                    "",
                    by_id,
                    now,
                    now,
                )
                for p in result.placements
            ),
        )
        # Ids come back in insertion order: one transaction, one increasing sequence.
        ids = list(Visit.objects.filter(plan=run).order_by("pk").values_list("pk", flat=True))
        bulk_insert(
            VisitMember,
            ["visit", "user", "role"],
            (
                (visit_id, user_id, role)
                for visit_id, p in zip(ids, result.placements, strict=True)
                for user_id, role in p.team
            ),
        )
        # After the writes, in their transaction: the figures count what was written.
        tallies.changed("visits", schools.values_list("pk", flat=True))
    return run
