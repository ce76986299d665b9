"""The arithmetic of the page benchmark (bench/pages.py) and its verdicts (bench/run.py):
the interleaved order of requests, medians and 95th percentiles, and P1/P2 as docs/quality.md
states them. Pure (no Django, no network), tested in tests/bench/test_verdicts.py.

Why interleaved (issue 22): measured one after the other, a change of the machine's load
between the city's requests and the country's swung the P2 ratio from 0.55 to 3.02 on the
same data. Alternating city and country request by request, and which one goes first round
by round, lets both meet the same load.
"""

import math
from collections.abc import Iterable, Sequence

SIDES = ("city", "national")
# The register-wide pages (P1: ≤ 20× /ping; the others ≤ 10×). Names as in bench/pages.py.
AGGREGATES = ("home (dashboard)", "visits, compliance", "SOS Desk, figures")
P1_LIST, P1_DASHBOARD, P2_LIMIT = 10, 20, 1.5
PING = "/ping"


def interleaved(pages: Sequence[str], runs: int, first: int = 0) -> list[tuple[str, str]]:
    """(page, side) in the order to request them: each round requests every page on both
    sides back to back, the city first in even rounds and the country first in odd ones
    (rounds counted from `first`)."""
    order = []
    for run in range(first, first + runs):
        sides = SIDES if run % 2 == 0 else SIDES[::-1]
        for page in pages:
            order += [(page, side) for side in sides]
    return order


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: Sequence[float]) -> dict:
    return {
        "n": len(values),
        "median": round(percentile(values, 50), 1),
        "p95": round(percentile(values, 95), 1),
    }


def rows(times: dict[str, dict[str, list[float]]], kind: str = "page") -> list[dict]:
    """One row per page from `times[page][side]` (ms): median and p95 per side, page / ping per
    side (the /ping of the same run and side), national / city of the medians. `kind` says
    what the row measures ("page", "cold", "after writes in 16 schools"...)."""
    ping = times.get(PING)
    out = []
    for page, sides in times.items():
        city, national = summary(sides["city"]), summary(sides["national"])
        row = {
            "page": page,
            "kind": kind,
            "city": city,
            "national": national,
            "national_per_city": round(national["median"] / city["median"], 2),
        }
        if ping and page != PING:
            for side in SIDES:
                row[f"{side}_per_ping"] = round(row[side]["median"] / percentile(ping[side], 50), 1)
        out.append(row)
    return out


def is_aggregate(page: str) -> bool:
    return page in AGGREGATES


def p1(measured: Iterable[dict]) -> dict:
    """P1 on both data sets: every page / /ping (steady rows only: a cold start and a write
    are not what P1 is about) ≤ 10× for lists and details, ≤ 20× for the register-wide
    pages. Returns the worst of each kind per side and whether all are within."""
    steady = [r for r in measured if r["kind"] == "page" and r["page"] != PING]
    result = {"met": bool(steady)}
    for side in SIDES:
        for label, limit, wanted in (
            ("lists", P1_LIST, False),
            ("dashboards", P1_DASHBOARD, True),
        ):
            mine = [
                r for r in steady if is_aggregate(r["page"]) == wanted and f"{side}_per_ping" in r
            ]
            if not mine:
                continue
            worst = max(mine, key=lambda r: r[f"{side}_per_ping"])
            result[f"{side}_{label}"] = (worst["page"], worst[f"{side}_per_ping"], limit)
            result["met"] = result["met"] and worst[f"{side}_per_ping"] <= limit
    return result


def p2(measured: Iterable[dict]) -> dict:
    """P2: every row (steady, cold, after writes) national / city ≤ 1.5; the worst row of
    each kind and whether all are within."""
    by_kind: dict[str, dict] = {}
    for row in measured:
        if row["page"] == PING:
            continue
        worst = by_kind.get(row["kind"])
        if worst is None or row["national_per_city"] > worst["national_per_city"]:
            by_kind[row["kind"]] = row
    return {
        "met": bool(by_kind) and all(r["national_per_city"] <= P2_LIMIT for r in by_kind.values()),
        "worst": {kind: (row["page"], row["national_per_city"]) for kind, row in by_kind.items()},
    }


def p1_text(result: dict) -> str:
    parts = []
    for side in SIDES:
        for label in ("lists", "dashboards"):
            if f"{side}_{label}" in result:
                page, ratio, _limit = result[f"{side}_{label}"]
                parts.append(f"{side} {label} ≤ {ratio}× ({page})")
    return "; ".join(parts) or "–"


def p2_text(result: dict) -> str:
    return (
        "; ".join(
            f"{kind}: worst {ratio}× ({page})" for kind, (page, ratio) in result["worst"].items()
        )
        or "–"
    )
