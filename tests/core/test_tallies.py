"""The register-wide figure store (peksos/core/tallies.py) with a figure of its own: schools
per level, and their opening day as a dated key. What every figure relies on: a write counts
its schools again in its own transaction, a rolled-back write leaves nothing behind, delta
rows fold without changing a sum, and the nightly rebuild repairs drift and says so."""

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection, connections, transaction

from peksos.core import tallies, tally_compaction
from peksos.core.models import SchoolTally, Tally
from schools.models import School
from schools.tallies_check import check

NAME = "test-levels"
DOMAIN = "test-levels"
OPENED = date(2026, 7, 13)


def count(school_ids):
    counted = {}
    for pk, level in School.objects.filter(pk__in=school_ids).values_list("pk", "level"):
        counted[pk] = Counter({(f"level:{level}", tallies.UNDATED): 1, ("opened", OPENED): 1})
    count.calls.append(list(school_ids))
    return counted


count.calls = []


@pytest.fixture
def figure():
    registered = tallies.register(tallies.Figure(NAME, (DOMAIN,), count))
    count.calls.clear()
    yield registered
    tallies._figures.pop(NAME, None)


def live() -> Counter:
    return Counter(
        {
            f"level:{level}": n
            for level, n in Counter(School.objects.values_list("level", flat=True)).items()
        }
    )


def levels() -> Counter:
    return tallies.by_key(tallies.read(NAME, prefix="level:"))


def test_a_write_counts_its_schools_again_and_appends_the_difference(figure, school_a):
    ids = list(School.objects.values_list("pk", flat=True))
    tallies.changed(DOMAIN, ids)
    assert levels() == live()
    rows = Tally.objects.filter(figure=NAME).count()

    other = "SMA" if school_a.level != "SMA" else "SD"
    School.objects.filter(pk=school_a.pk).update(level=other)  # bypasses save: say it
    tallies.changed(DOMAIN, [school_a.pk])
    assert levels() == live()
    assert Tally.objects.filter(figure=NAME).count() == rows + 2  # -1 old level, +1 new
    tallies.changed(DOMAIN, [school_a.pk])  # nothing changed: nothing appended
    assert Tally.objects.filter(figure=NAME).count() == rows + 2


def test_other_domains_do_not_count_this_figure(figure, school_a):
    tallies.changed("some-other-domain", [school_a.pk])
    assert count.calls == []
    assert not Tally.objects.filter(figure=NAME).exists()


def test_a_rolled_back_write_leaves_the_figures_as_they_were(figure, school_a):
    tallies.changed(DOMAIN, [school_a.pk])
    before = tallies.read(NAME)
    with pytest.raises(RuntimeError), transaction.atomic():
        School.objects.filter(pk=school_a.pk).update(level="TK" if school_a.level != "TK" else "SD")
        tallies.changed(DOMAIN, [school_a.pk])
        assert tallies.read(NAME) != before  # inside, the figure followed the write
        raise RuntimeError
    assert tallies.read(NAME) == before


def test_dated_keys_are_summed_over_the_days_asked_for(figure, school_a, school_b):
    tallies.changed(DOMAIN, [school_a.pk, school_b.pk])
    assert tallies.by_key(tallies.read(NAME, prefix="opened", since=OPENED)) == {"opened": 2}
    later = date(2026, 7, 14)
    assert tallies.read(NAME, prefix="opened", since=later) == Counter()
    assert tallies.read(NAME, prefix="opened", until=date(2026, 7, 12)) == Counter()
    # Undated keys come with a dated range unless left out.
    assert set(tallies.by_key(tallies.read(NAME, since=later))) == {f"level:{school_a.level}"} | {
        f"level:{school_b.level}"
    }
    assert tallies.read(NAME, since=later, undated=False) == Counter()


def test_deferred_counts_each_school_once_when_the_block_ends(figure, school_a, school_b):
    with tallies.deferred():
        for _ in range(3):
            tallies.changed(DOMAIN, [school_a.pk])
        tallies.changed(DOMAIN, [school_b.pk])
        assert count.calls == [] and tallies.read(NAME) == Counter()
    assert count.calls == [sorted([school_a.pk, school_b.pk])]
    assert levels()[f"level:{school_a.level}"] >= 1


def test_a_deferred_block_that_fails_counts_nothing(figure, school_a):
    with pytest.raises(ValueError), transaction.atomic(), tallies.deferred():
        tallies.changed(DOMAIN, [school_a.pk])
        raise ValueError
    assert count.calls == []


def test_compact_folds_the_deltas_without_changing_a_sum(figure, school_a):
    tallies.changed(DOMAIN, [school_a.pk])
    for level in ("SMA", "SD", "TK", school_a.level):
        School.objects.filter(pk=school_a.pk).update(level=level)
        tallies.changed(DOMAIN, [school_a.pk])
    before = tallies.read(NAME)
    assert Tally.objects.filter(figure=NAME).count() > len(before)
    assert tally_compaction.compact(NAME) > 0
    assert tallies.read(NAME) == before
    # One row per key that does not sum to zero (a dated key: its day, month and year rows);
    # a second pass has nothing to do.
    assert Tally.objects.filter(figure=NAME).count() == len(before) + 2
    assert tally_compaction.compact(NAME) == 0


def _append(key: str, *deltas: int) -> None:
    for n in deltas:
        tallies.append(NAME, Counter({(key, tallies.UNDATED): n}))


def _pks(key: str) -> set[int]:
    return set(Tally.objects.filter(figure=NAME, key=key).values_list("pk", flat=True))


def test_compact_folds_only_the_keys_with_several_rows(figure, db):
    """A key already alone in its row is neither deleted nor written again: at national size
    those are almost all of them."""
    _append("alone", 7)
    _append("many", 1, 2, 3)
    alone = _pks("alone")
    assert tally_compaction.compact(NAME) == 2  # three rows of "many" became one
    assert _pks("alone") == alone
    assert Tally.objects.filter(figure=NAME, key="many").count() == 1
    assert tallies.sums(NAME) == {"alone": 7, "many": 6}
    folded = _pks("many")
    _append("many", 4)
    assert tally_compaction.compact(NAME) == 1
    assert _pks("alone") == alone and not folded & _pks("many")
    assert tallies.sums(NAME) == {"alone": 7, "many": 10}


def test_compact_folds_a_whole_figure_at_once_when_most_keys_need_it(figure, db, monkeypatch):
    """After a first count (every key in several rows), the figure is folded in one pass over
    its rows: the same sums, one row per key, zeros dropped."""
    monkeypatch.setattr(tally_compaction, "FOLD_ALL", 1)
    _append("alone", 7)
    _append("many", 1, 2, 3)
    _append("other", 2, 2)
    _append("gone", 1, -1)
    assert tally_compaction.compact(NAME) == 5  # 8 rows became 3
    assert tallies.sums(NAME) == {"alone": 7, "many": 6, "other": 4}
    assert Tally.objects.filter(figure=NAME).count() == 3
    assert tally_compaction.compact(NAME) == 0


def test_compact_drops_a_key_that_sums_to_zero(figure, db):
    _append("gone", 3, -1, -2)
    _append("kept", 1)
    Tally.objects.create(figure=NAME, key="zero", day=tallies.UNDATED, n=0)  # alone, but zero
    assert tally_compaction.compact(NAME) == 4
    assert set(Tally.objects.filter(figure=NAME).values_list("key", flat=True)) == {"kept"}
    assert tally_compaction.compact(NAME) == 0


@pytest.mark.django_db(transaction=True)
def test_compact_skips_rows_another_pass_holds_and_counts_nothing_twice():
    """On PostgreSQL, rows locked by another transaction (a pass of `compact` that overran its
    minute) are left to it, not waited for; the rest is folded, and no sum changes."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite has one writer at a time)")
    tallies.register(tallies.Figure(NAME, (DOMAIN,), count))
    try:
        _append("held", 1, 2, 3)
        _append("free", 1, 2, 3)
        held = _pks("held")
        locked, release = threading.Event(), threading.Event()

        def other_pass() -> None:
            try:
                with transaction.atomic():
                    list(Tally.objects.select_for_update().filter(figure=NAME, key="held"))
                    locked.set()
                    release.wait(10)
            finally:
                connections.close_all()

        holder = threading.Thread(target=other_pass)
        holder.start()
        assert locked.wait(5)
        try:
            assert tally_compaction.compact(NAME) == 2  # "free" only, at once
        finally:
            release.set()
            holder.join(10)
        assert _pks("held") == held
        assert tallies.sums(NAME) == {"held": 6, "free": 6}
        assert tally_compaction.compact(NAME) == 2  # the next pass folds the rows now free
        assert tallies.sums(NAME) == {"held": 6, "free": 6}
    finally:
        tallies._figures.pop(NAME, None)


def test_the_nightly_check_repairs_a_total_corrupted_by_hand_and_reports_it(figure, school_a):
    from peksos.core.models import AuditEvent

    tallies.changed(DOMAIN, list(School.objects.values_list("pk", flat=True)))
    right = tallies.read(NAME)
    tallies.append(NAME, Counter({(f"level:{school_a.level}", tallies.UNDATED): 5}))  # psql
    assert tallies.read(NAME) != right

    drift = check([NAME])
    assert drift.keys[NAME] == 1 and drift.schools[NAME] == 0
    assert tallies.read(NAME) == right
    assert AuditEvent.objects.filter(action="tallies.drift_repaired").count() == 1
    assert not check([NAME])  # the second night finds nothing


def test_the_nightly_check_counts_a_school_written_behind_its_back(figure, school_a):
    tallies.changed(DOMAIN, list(School.objects.values_list("pk", flat=True)))
    School.objects.filter(pk=school_a.pk).update(level="SMA" if school_a.level != "SMA" else "SD")
    assert levels() != live()  # the write did not call `changed`
    drift = check([NAME])
    assert drift.schools[NAME] == 1
    assert levels() == live()


def test_a_deleted_school_is_counted_down_to_nothing(figure, school_a):
    ids = list(School.objects.values_list("pk", flat=True))
    tallies.changed(DOMAIN, ids)
    SchoolTally.objects.create(figure=NAME, school_id=10**9, counts=[["level:SD", "0001-01-01", 1]])
    tallies.append(NAME, Counter({("level:SD", tallies.UNDATED): 1}))
    assert levels() != live()
    check([NAME])
    assert levels() == live()


def test_a_write_of_a_counted_model_counts_through_save(school_a):
    """The real figures registered by the apps follow `save` (TallyOnSave) with no call."""
    names = {f.name for f in tallies.figures(("schools",))}
    assert names, "the schools' figures are registered at start-up"
    school = School.objects.get(pk=school_a.pk)
    school.name = "SD Negeri Tally"
    school.save()
    assert SchoolTally.objects.filter(school_id=school.pk, figure__in=names).count() == len(names)


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_school_take_turns_and_neither_is_lost(kota_metro):
    """On PostgreSQL, two transactions counting the same school at once: the second waits
    for the first's lock, then counts what it committed; the total is exact."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite has one writer at a time)")
    tallies.register(tallies.Figure(NAME, (DOMAIN,), count))
    try:
        school = School.objects.order_by("pk").first()
        tallies.changed(DOMAIN, list(School.objects.values_list("pk", flat=True)))
        first_in = threading.Event()
        errors = []

        def writer(level: str, hold: bool) -> None:
            try:
                with transaction.atomic():
                    School.objects.filter(pk=school.pk).update(level=level)
                    tallies.changed(DOMAIN, [school.pk])
                    if hold:
                        first_in.set()
                        threading.Event().wait(0.3)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                connections.close_all()

        one = threading.Thread(target=writer, args=("SMA", True))
        one.start()
        first_in.wait(5)
        two = threading.Thread(target=writer, args=("TK", False))
        two.start()
        one.join(10)
        two.join(10)
        assert errors == []
        assert levels() == live()
        assert levels()["level:TK"] == live()["level:TK"]
    finally:
        tallies._figures.pop(NAME, None)


def test_beat_folds_the_deltas_every_minute_and_checks_every_night(settings):
    import importlib

    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert "peksos.core.tasks.compact_tallies" in schedule
    assert "schools.tasks.check_tallies" in schedule
    for name in ("peksos.core.tasks.compact_tallies", "schools.tasks.check_tallies"):
        module, function = name.rsplit(".", 1)
        assert getattr(importlib.import_module(module), function).name == name


def _days(ranges) -> list[date]:
    days = []
    for span, first, last in ranges:
        if span == tallies.DAY:
            days += [first + timedelta(days=i) for i in range((last - first).days + 1)]
        elif span == tallies.MONTH:
            month = first
            while month <= last:
                end = tallies._month_end(month)
                days += [month + timedelta(days=i) for i in range((end - month).days + 1)]
                month = end + timedelta(days=1)
        else:
            for year in range(first.year, last.year + 1):
                start = date(year, 1, 1)
                days += [
                    start + timedelta(days=i) for i in range((date(year, 12, 31) - start).days + 1)
                ]
    return days


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (date(2026, 7, 13), date(2026, 7, 13)),
        (date(2026, 7, 13), date(2026, 8, 2)),
        (date(2026, 7, 1), date(2026, 7, 31)),
        (date(2024, 2, 29), date(2027, 3, 1)),
        (date(2025, 1, 1), date(2026, 12, 31)),
        (date(2025, 12, 31), date(2026, 1, 1)),
        (date(2026, 3, 1), date(2026, 2, 28)),  # empty
    ],
)
def test_a_range_is_covered_by_whole_years_months_and_days_exactly_once(since, until):
    days = _days(tallies.cover(since, until))
    expected = [since + timedelta(days=i) for i in range((until - since).days + 1)]
    assert days == expected  # in order, none twice, none missing


def test_open_ranges_are_covered_by_few_rows():
    assert tallies.cover(None, None) == [(tallies.YEAR, date(2, 1, 1), date(9999, 1, 1))]
    since_today = tallies.cover(date(2026, 11, 2), None)
    assert [span for span, *_ in since_today] == ["d", "m", "y"]
    assert len(tallies.cover(date(2024, 7, 15), date(2026, 11, 2))) <= 6


def test_a_long_range_sums_a_few_rows_per_key_not_one_per_day(figure, school_a):
    """A dated key on 400 different days: all time, or a year, reads its year rows."""
    for i in range(400):
        tallies.append(NAME, Counter({("visit", date(2025, 1, 1) + timedelta(days=i)): 1}))
    assert tallies.sums(NAME, prefix="visit") == {"visit": 400}
    assert tallies.sums(NAME, prefix="visit", since=date(2025, 1, 1), until=date(2025, 12, 31)) == {
        "visit": 365
    }
    assert tallies.sums(
        NAME, prefix="visit", since=date(2025, 12, 20), until=date(2026, 1, 10)
    ) == {"visit": 22}
    tally_compaction.compact(NAME)
    rows = tallies._rows(NAME, "visit", None, None, undated=False)
    assert rows.count() == 2  # 2025 and 2026
    yearly = tallies._rows(NAME, "visit", date(2025, 3, 1), date(2026, 2, 3), undated=False)
    assert yearly.count() == 10 + 1 + 3  # Mar-Dec 2025, Jan 2026, 1-3 Feb 2026


def test_migrate_counts_the_figures_of_a_register_that_has_none(school_a):
    """The first `migrate` after the tallies came (post_migrate): a register with schools and
    no counted figure is counted once; a counted one is left alone."""
    from schools.tallies_check import fill_if_empty

    Tally.objects.all().delete()
    SchoolTally.objects.all().delete()
    assert fill_if_empty() == [figure.name for figure in tallies.figures()]
    schools = tallies.sums("schools")
    assert schools["n"] == School.objects.active().count() > 0
    assert fill_if_empty() == []


def test_migrate_counts_a_figure_that_was_re_keyed(school_a):
    """A migration that drops one figure's rows (its keys changed) has it counted again at
    `migrate`, and only it."""
    from schools.tallies_check import fill_if_empty

    fill_if_empty()  # every figure counted (those no write of this register has touched too)
    before = tallies.sums("schools")
    Tally.objects.filter(figure="schools").delete()
    SchoolTally.objects.filter(figure="schools").delete()
    assert tallies.sums("schools") == Counter()
    assert fill_if_empty() == ["schools"]
    assert tallies.sums("schools") == before


def test_a_group_is_read_by_its_own_column(figure, db):
    """`prefix="kec|"` reads the rows of group "kec" (indexed), never "kecx|" or "all|"."""
    tallies.append(
        NAME,
        Counter(
            {
                ("kec|1|n", tallies.UNDATED): 2,
                ("kec|2|n", tallies.UNDATED): 3,
                ("kecx|n", tallies.UNDATED): 5,
                ("all|n", tallies.UNDATED): 7,
                ("plain", tallies.UNDATED): 11,
            }
        ),
    )
    assert set(Tally.objects.filter(figure=NAME).values_list("group", flat=True)) == {
        "kec",
        "kecx",
        "all",
        "",
    }
    assert tallies.sums(NAME, prefix="kec|") == {"kec|1|n": 2, "kec|2|n": 3}
    assert tallies.sums(NAME, prefix="kec|1|") == {"kec|1|n": 2}
    assert tallies.sums(NAME, prefix="pla") == {"plain": 11}
    assert "LIKE" not in str(tallies._rows(NAME, "kec|", None, None, True).query).upper()
