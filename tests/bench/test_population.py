"""Who serves which schools in the synthetic country (bench/population.py)."""

import population


def test_blocks_cut_the_register_into_runs_of_neighbours():
    assert population.blocks(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert population.blocks([], 16) == []
    groups = population.blocks(list(range(450)), population.SCHOOLS_PER_PEKSOS)
    assert len(groups) == 29 and all(len(g) == 16 for g in groups[:-1])


def test_every_school_has_the_owner_of_its_run():
    owners = population.owner_of([[1, 2], [3]], [10, 20])
    assert owners == {1: 10, 2: 10, 3: 20}


def test_children_are_mostly_open_with_last_contacts_over_three_months():
    """About 70 % open, 30 % closed with a closing day after the last contact and an outcome;
    last contacts over the 90 days before the generation, so some open ones are overdue."""
    from datetime import datetime, timedelta
    from random import Random
    from zoneinfo import ZoneInfo

    written = {}

    def copy_rows(model, rows, fields):
        written["rows"] = [dict(zip(fields, row, strict=True)) for row in rows]
        return len(written["rows"])

    owners = {"peksos": {1: 10, 2: 20}, "psikolog": {1: 30, 2: 40}}
    assert population.children(copy_rows, Random(1), 2000, [1, 2], owners) == 2000
    rows, now = written["rows"], datetime.now(ZoneInfo("Asia/Jakarta"))
    closed = [r for r in rows if r["status"] == "selesai"]
    opened = [r for r in rows if r["status"] == "aktif"]
    assert len(closed) + len(opened) == 2000 and 0.25 < len(closed) / 2000 < 0.35
    assert all(r["last_contact_at"] <= r["closed_at"] <= now and r["outcome"] for r in closed)
    assert all(r["closed_at"] is None and r["outcome"] == "" for r in opened)
    ages = [now - r["last_contact_at"] for r in rows]
    assert max(ages) <= timedelta(days=90) and min(ages) >= timedelta(0)
    overdue = sum(now - r["last_contact_at"] > timedelta(days=30) for r in opened)
    assert 0.55 < overdue / len(opened) < 0.8


def test_forum_threads_are_mostly_answered_with_a_few_held_or_waiting():
    import random
    from datetime import timedelta

    rng = random.Random(22)
    shapes = [population.thread(rng) for _ in range(20_000)]
    held = [s for s in shapes if not s[0]]
    unanswered = [s for s in shapes if s[0] and s[1] == 0]
    assert 0.02 < len(held) / len(shapes) < 0.04
    assert 0.03 < len(unanswered) / len(shapes) < 0.07
    assert all(n == 0 and not after for _published, n, _asked, after in held)
    assert 3.5 < sum(n for _p, n, _a, _after in shapes) / len(shapes) < 4.5  # ~1M posts in all
    for _published, n, asked, after in shapes:
        assert len(after) == n and after == sorted(after)
        assert all(delay > timedelta(0) for delay in after)
        assert timedelta(0) <= asked <= timedelta(days=population.FORUM_DAYS)
    recent = timedelta(days=population.FORUM_DAYS - population.RECENT_DAYS)
    assert all(asked >= recent for _p, _n, asked, _after in held)
