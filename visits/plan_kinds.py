"""Which activity kinds the planner places in which semester (plan coverage, issue 18): pure,
no Django, used by `visits.planner` (placing and `verify`) and `visits.planning`.

The plan form chooses, per semester, the activity kinds each school gets (by default the
campaign in semester 1, the psychosocial training and One Day for Children in semester 2).
The planner places one visit per school for each chosen (semester, kind), at least the
minimum gap apart, so each school gets the chosen kinds across the year.

What the kept visits already give (locked, agreed, done, awaiting the programme's answer):
- a kept visit of a kind covers that kind in its own semester when chosen there, otherwise the
  same kind chosen for the other semester (a kind held early or late still counts for the
  year);
- a kept visit whose kind is not known covers the first open kind of its semester;
- each kept visit covers at most one need; it always counts for the gap and the capacity.

When a semester has several kinds, the k-th kind is first looked for in the k-th share of the
semester's visit days (so the gap between a school's visits fits), then anywhere in the
semester (a preference, never a reason).
"""

from collections.abc import Iterable, Mapping

# (school id, semester, kind): one visit the plan still has to place.
Need = tuple[int, int, str]


def as_kinds(entry: str | Iterable[str]) -> tuple[str, ...]:
    """A semester's setting as a tuple of kinds, each once, in the given order ("" is none)."""
    if isinstance(entry, str):
        return (entry,) if entry else ()
    return tuple(dict.fromkeys(k for k in entry if k))


def open_needs(
    kinds: Mapping[int, tuple[str, ...]],
    school_ids: Iterable[int],
    kept: Iterable[tuple[int, int, str]],
) -> set[Need]:
    """The (school, semester, kind) to place, given the kinds of each semester and the kept
    visits as (school, semester, kind or "")."""
    needs = {(s, semester, k) for s in school_ids for semester in (1, 2) for k in kinds[semester]}
    # Visits of a known kind first: an unknown one then takes what is left of its semester.
    for school, semester, kind in sorted(kept, key=lambda v: (v[2] == "", v)):
        if kind:
            options = [(school, semester, kind), (school, 3 - semester, kind)]
        else:
            options = [(school, semester, k) for k in kinds[semester]]
        for need in options:
            if need in needs:
                needs.discard(need)
                break
    return needs


def share(index: int, count: int, days: int) -> tuple[int, int]:
    """The day indexes [lo, hi) where the index-th of `count` kinds of a semester is looked
    for first."""
    if count <= 1:
        return 0, days
    return index * days // count, (index + 1) * days // count


def kind_errors(
    kinds: Mapping[int, tuple[str, ...]],
    needs: set[Need],
    placed: Iterable[tuple[int, int, str]],
    reported: set[Need],
) -> list[str]:
    """For `verify`: every need placed once or reported (not both), every placement one of
    its semester's chosen kinds and needed."""
    errors = []
    count: dict[Need, int] = {}
    for school, semester, kind in placed:
        if kind not in kinds.get(semester, ()):
            errors.append(f"school {school}: kind {kind} not chosen for semester {semester}")
            continue
        if (school, semester, kind) not in needs:
            errors.append(f"school {school}: {kind} in semester {semester} was not needed")
        count[(school, semester, kind)] = count.get((school, semester, kind), 0) + 1
    for need, n in count.items():
        if n > 1:
            errors.append(f"school {need[0]}: {n} new visits of {need[2]} in semester {need[1]}")
        if need in reported:
            errors.append(f"school {need[0]}: {need[2]} placed and reported in semester {need[1]}")
    for need in sorted(needs - count.keys() - reported):
        errors.append(f"school {need[0]}: no visit in semester {need[1]} for {need[2]}, no reason")
    return errors
