"""The register's visit figures, maintained (peksos/core/tallies.py): the dashboard's visits
panel ("visits") and visit compliance per kecamatan, per level and for the whole register
("compliance"), as `visits.compliance.compliance_rows` defines them.

A school's contribution depends only on its rows, never on the day: what depends on the day
is a range sum over dated keys.

"visits" (every visit, as the live panel counts them): `done|<year>` per visit done in that
school year; `planned` and `proposed` on each planned (proposed or agreed) and each proposed
visit's date. Upcoming in the next 14 days and proposed from today on are range sums.

"compliance" (active schools only), for each group type `<gt>` and the school's group `<g>` in
it: "all" (g ""), "lvl" (by level), and the regions (schools/region_tree.py): "prov" (by
province code), "kab:<province>" (by kabupaten/kota code, one group per province) and
"kec:<kabupaten>" (by kecamatan id, one group per kabupaten/kota), so that a table of one
level under one parent reads only its own rows:

- `<gt>|-|n|<g>`: 1, the school (whatever the year);
- per school year `<y>` of its visits, with d = visits done (2 meaning two or more):
  `<gt>|<y>|d1|<g>` or `<gt>|<y>|d2|<g>` (undated), and on dated keys
  `p1` at its latest planned visit's date, `q1` at the same date when d = 1, and `q2` at its
  second-latest planned visit's date when d = 0.

Then, read from `today` on: with_planned = p1 (its latest planned visit is still to come),
done_0 = n - d1 - d2 (schools without visits too), and at_risk = (done_0 - q2) + (d1 - q1):
no visit done and fewer than two planned, or one done and none planned.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import Count

from peksos.core import school_year, tallies
from schools import region_tree
from schools.models import Kecamatan, School

from .models import Visit

UNDATED = tallies.UNDATED
UPCOMING_DAYS = 14
VISITS, COMPLIANCE = "visits", "compliance"
GROUP_TYPES = {"level": "lvl", "all": "all"}
KEYS = ("total", "done_0", "done_1", "done_2", "with_planned", "at_risk")


# --- The dashboard's visits panel -----------------------------------------------------------


def count_visits(school_ids: Sequence[int]) -> dict[int, Counter]:
    counts: dict[int, Counter] = defaultdict(Counter)
    visits = Visit.objects.filter(school_id__in=school_ids).order_by()
    done = visits.filter(state=Visit.State.DONE).values_list("school_id", "school_year")
    for school, year, n in done.annotate(n=Count("pk")):
        counts[school][f"done|{year}", UNDATED] += n
    planned = visits.filter(state__in=Visit.PLANNED_STATES).values_list(
        "school_id", "date", "state"
    )
    for school, day, state, n in planned.annotate(n=Count("pk")):
        counts[school]["planned", day] += n
        if state == Visit.State.PROPOSED:
            counts[school]["proposed", day] += n
    return counts


def panel_figures(today: date) -> dict:
    """{done, upcoming, proposed} of the whole register today: two queries."""
    year = school_year.year_of(today)
    sums = tallies.sums(VISITS, since=today)
    soon = today + timedelta(days=UPCOMING_DAYS)
    upcoming = tallies.sums(VISITS, prefix="planned", since=today, until=soon, undated=False)
    return {
        "done": sums[f"done|{year}"],
        "upcoming": upcoming["planned"],
        "proposed": sums["proposed"],
    }


# --- Compliance -----------------------------------------------------------------------------


def count_compliance(school_ids: Sequence[int]) -> dict[int, Counter]:
    schools = School.objects.filter(pk__in=school_ids, is_active=True).order_by()
    groups = {
        pk: (("all", ""), ("lvl", level), *region_tree.groups_of(code, kec))
        for pk, kec, code, level in schools.values_list(
            "pk", "kecamatan_id", "kecamatan__code", "level"
        )
    }
    visits = Visit.objects.filter(school_id__in=list(groups)).order_by()
    done: dict[tuple[int, int], int] = {}
    for school, year, n in (
        visits.filter(state=Visit.State.DONE)
        .values_list("school_id", "school_year")
        .annotate(n=Count("pk"))
    ):
        done[school, year] = n
    planned: dict[tuple[int, int], list[date]] = defaultdict(list)
    for school, year, day in visits.filter(state__in=Visit.PLANNED_STATES).values_list(
        "school_id", "school_year", "date"
    ):
        planned[school, year].append(day)
    years: dict[int, set[int]] = defaultdict(set)
    for school, year in [*done, *planned]:
        years[school].add(year)

    counts: dict[int, Counter] = {}
    for pk, mine in groups.items():
        contribution = Counter()
        for gt, g in mine:
            contribution[f"{gt}|-|n|{g}", UNDATED] += 1
            for year in years[pk]:
                d = min(done.get((pk, year), 0), 2)
                days = sorted(planned.get((pk, year), ()), reverse=True)
                if d:
                    contribution[f"{gt}|{year}|d{d}|{g}", UNDATED] += 1
                if days:
                    contribution[f"{gt}|{year}|p1|{g}", days[0]] += 1
                    if d == 1:
                        contribution[f"{gt}|{year}|q1|{g}", days[0]] += 1
                if d == 0 and len(days) >= 2:
                    contribution[f"{gt}|{year}|q2|{g}", days[1]] += 1
        counts[pk] = contribution
    return counts


def _rows(sums: Counter, year: int) -> dict[str, dict]:
    """{group: {total, done_0, ...}} from one group type's sums (as `compliance_rows`)."""
    parts: dict[str, Counter] = defaultdict(Counter)
    for key, n in sums.items():
        _gt, key_year, kind, group = key.split("|", 3)
        if key_year in ("-", str(year)):
            parts[group][kind] += n
    rows = {}
    for group, part in parts.items():
        if part["n"] <= 0:
            continue  # no active school in it (its years' keys are all zero then too)
        done_0 = part["n"] - part["d1"] - part["d2"]
        rows[group] = {
            "total": part["n"],
            "done_0": done_0,
            "done_1": part["d1"],
            "done_2": part["d2"],
            "with_planned": part["p1"],
            "at_risk": done_0 - part["q2"] + part["d1"] - part["q1"],
        }
    return rows


def register_rows(year: int, today: date, group: str) -> list[dict]:
    """`compliance_rows` by level over every active school of the register, from the
    maintained sums: {group: value, total, done_0, ...} per value, in order (one query)."""
    gt = GROUP_TYPES[group]
    rows = _rows(tallies.sums(COMPLIANCE, prefix=f"{gt}|", since=today), year)
    return [{group: value, "label": value, **rows[value]} for value in sorted(rows)]


def _region_sums(year: int, today: date, parent: str) -> dict[str, dict]:
    group = region_tree.group_name(parent)
    return _rows(tallies.sums(COMPLIANCE, prefix=f"{group}|", since=today), year)


def _labelled(parent: str, rows: dict[str, dict]) -> list[dict]:
    if region_tree.level_below(parent) != region_tree.KECAMATAN:
        named = region_tree.names(rows)
        return [{"code": code, "label": named[code], **rows[code]} for code in sorted(rows)]
    kecamatan = Kecamatan.objects.filter(pk__in=[int(pk) for pk in rows]).values_list(
        "pk", "code", "name"
    )
    return [
        {"code": "", "kecamatan_id": pk, "kecamatan_code": code, "label": name, **rows[str(pk)]}
        for pk, code, name in sorted(kecamatan, key=lambda k: k[1])
    ]


def region_rows(year: int, today: date, parent: str) -> list[dict]:
    """Compliance of the regions one level under `parent` (schools/region_tree.py): {code,
    label, total, done_0, ...} per region, in code order; a kecamatan's row has no code to
    go further down (its `kecamatan_id` instead). Two queries (the group's sums, the
    regions' names)."""
    return _labelled(parent, _region_sums(year, today, parent))


def region_drill(year: int, today: date, parent: str = "") -> tuple[str, list[dict]]:
    """(parent, rows) of the compliance by region under `parent`, going down while a level
    has a single region: a register in one kabupaten/kota (Kota Metro) shows its kecamatan,
    the country its provinces. One query per level read, one for the names."""
    rows = _region_sums(year, today, parent)
    while len(rows) == 1 and region_tree.level_below(parent) != region_tree.KECAMATAN:
        parent = next(iter(rows))
        rows = _region_sums(year, today, parent)
    return parent, _labelled(parent, rows)


def register_totals(year: int, today: date) -> dict:
    """The totals of `register_rows` without the groups: one query."""
    rows = _rows(tallies.sums(COMPLIANCE, prefix="all|", since=today), year)
    return rows.get("", dict.fromkeys(KEYS, 0))


VISITS_FIGURE = tallies.Figure(VISITS, ("visits",), count_visits)
COMPLIANCE_FIGURE = tallies.Figure(COMPLIANCE, ("visits", "schools"), count_compliance)
