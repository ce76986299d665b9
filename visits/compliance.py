"""Visit compliance in one pass: schools by visits done this school year (0 / 1 / 2 or more),
with planned visits and the schools at risk of missing their second visit, per group
(kecamatan or jenjang).

Counting each school's visits with a correlated subquery costs one subquery per school and
per FILTER clause that mentions it (PostgreSQL does not share them): 4.4 s for the board at
45,000 schools (bench/national.py, docs/benchmarks.md). Here the visits are counted once,
grouped by school in a CTE, and joined to the schools: a hash join, linear in the rows.
"""

from datetime import date

from django.db import connection, connections
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from peksos.core.dbrouter import current_alias
from schools.models import Kecamatan, School

from .models import Visit

# The groups a board can show, as (SQL expression, join needed for it).
GROUPS = {
    "kecamatan__name": ("k.{name}", True),
    "level": ("s.{level}", False),
}
KEYS = ("total", "done_0", "done_1", "done_2", "with_planned", "at_risk")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def compliance_rows(
    schools: QuerySet[School],
    year: int,
    today: date,
    group: str,
) -> list[dict]:
    """One dict per group value: {group: value, total, done_0, done_1, done_2, with_planned,
    at_risk}, ordered by the group value. `schools` may be any queryset of schools (a user's
    scope, active ones); it is used as a subquery. The whole register's rows are maintained
    sums instead (`visits.figures.register_rows`, equal to these)."""
    expression, join_kecamatan = GROUPS[group]
    school_table, visit_table = _q(School._meta.db_table), _q(Visit._meta.db_table)
    field = School._meta.get_field
    vfield = Visit._meta.get_field
    names = {
        "name": _q(Kecamatan._meta.get_field("name").column),
        "level": _q(field("level").column),
    }
    group_sql = expression.format(**names)
    scope_sql, scope_params = schools.order_by().values("pk").query.sql_with_params()
    planned = ", ".join(["%s"] * len(Visit.PLANNED_STATES))
    join = (
        f"JOIN {_q(Kecamatan._meta.db_table)} k ON k.{_q('id')} = s.{_q(field('kecamatan').column)}"
        if join_kecamatan
        else ""
    )
    done, plan = "COALESCE(c.done, 0)", "COALESCE(c.planned, 0)"
    # Identifiers come from the models' metadata, quoted; every value is a parameter.
    sql = f"""
        WITH c AS (
            SELECT {_q(vfield("school").column)} AS school_id,
                   SUM(CASE WHEN {_q(vfield("state").column)} = %s THEN 1 ELSE 0 END) AS done,
                   SUM(CASE WHEN {_q(vfield("state").column)} IN ({planned})
                             AND {_q(vfield("date").column)} >= %s THEN 1 ELSE 0 END) AS planned
            FROM {visit_table}
            WHERE {_q(vfield("school_year").column)} = %s
            GROUP BY {_q(vfield("school").column)}
        )
        SELECT {group_sql} AS grp,
               COUNT(*) AS total,
               SUM(CASE WHEN {done} = 0 THEN 1 ELSE 0 END) AS done_0,
               SUM(CASE WHEN {done} = 1 THEN 1 ELSE 0 END) AS done_1,
               SUM(CASE WHEN {done} >= 2 THEN 1 ELSE 0 END) AS done_2,
               SUM(CASE WHEN {plan} > 0 THEN 1 ELSE 0 END) AS with_planned,
               SUM(CASE WHEN ({done} = 0 AND {plan} < 2) OR ({done} = 1 AND {plan} = 0)
                        THEN 1 ELSE 0 END) AS at_risk
        FROM {school_table} s
        {join}
        LEFT JOIN c ON c.school_id = s.{_q("id")}
        WHERE s.{_q("id")} IN ({scope_sql})
        GROUP BY {group_sql}
        ORDER BY {group_sql}
    """  # noqa: S608  # nosec B608: identifiers from model metadata, values as parameters
    params = [
        Visit.State.DONE,
        *Visit.PLANNED_STATES,
        connection.ops.adapt_datefield_value(today),
        year,
        *scope_params,
    ]
    # Raw SQL follows the router too: the read replica inside `replica_reads()`.
    with connections[current_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        {group: row[0], **{key: int(value or 0) for key, value in zip(KEYS, row[1:], strict=True)}}
        for row in rows
    ]


def count_per_school(visits: QuerySet[Visit]) -> Coalesce:
    """A school's number of these visits, as an annotation of a schools queryset."""
    counted = visits.filter(school=OuterRef("pk")).order_by().values("school")
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def schools_with_counts(schools: QuerySet[School], year: int, today: date) -> QuerySet[School]:
    """Each school with `done` (visits done in the school year) and `planned` (proposed or
    agreed from today on): for a page of schools, not for a whole register (see above)."""
    visits = Visit.objects.in_school_year(year)
    return schools.annotate(
        done=count_per_school(visits.done()), planned=count_per_school(visits.upcoming(today))
    )


def totals(rows: list[dict]) -> dict:
    return {key: sum(row[key] for row in rows) for key in KEYS}
