"""The page benchmark's arithmetic and verdicts (bench/verdicts.py)."""

import pytest
import verdicts


def test_requests_alternate_city_and_country_and_who_goes_first():
    order = verdicts.interleaved(["/ping", "a"], 2)
    assert order == [
        ("/ping", "city"), ("/ping", "national"), ("a", "city"), ("a", "national"),
        ("/ping", "national"), ("/ping", "city"), ("a", "national"), ("a", "city"),
    ]  # fmt: skip
    assert len(verdicts.interleaved(["a", "b", "c"], 30)) == 180
    assert verdicts.interleaved(["a"], 1, first=1) == [("a", "national"), ("a", "city")]


def test_percentiles_interpolate():
    values = list(range(1, 101))
    assert verdicts.percentile(values, 50) == pytest.approx(50.5)
    assert verdicts.percentile(values, 95) == pytest.approx(95.05)
    assert verdicts.percentile([7], 95) == 7
    with pytest.raises(ValueError):
        verdicts.percentile([], 50)


def times(ping, page, national_factor=1.0, name="schools, list"):
    return {
        verdicts.PING: {"city": [ping] * 5, "national": [ping] * 5},
        name: {"city": [page] * 5, "national": [page * national_factor] * 5},
    }


def test_rows_give_ratios_to_ping_and_to_the_city():
    (ping, row) = verdicts.rows(times(2.0, 10.0, 1.2), "page")
    assert ping["page"] == verdicts.PING and "city_per_ping" not in ping
    assert row["city"] == {"n": 5, "median": 10.0, "p95": 10.0}
    assert row["city_per_ping"] == 5.0 and row["national_per_ping"] == 6.0
    assert row["national_per_city"] == 1.2


def test_p1_holds_lists_to_10x_and_dashboards_to_20x_on_both_sides():
    lists_ok = verdicts.rows(times(2.0, 19.0), "page")
    assert verdicts.p1(lists_ok)["met"]
    too_slow_nationally = verdicts.rows(times(2.0, 19.0, 1.2), "page")  # 11.4x national
    result = verdicts.p1(too_slow_nationally)
    assert not result["met"] and result["national_lists"] == ("schools, list", 11.4, 10)
    dashboard = verdicts.rows(times(2.0, 38.0, name="home (dashboard)"), "page")
    assert verdicts.p1(dashboard)["met"]  # 19x: a dashboard may take 20x
    # rows after writes or cold do not count for P1
    cold = verdicts.rows(times(2.0, 100.0), "cold (first request after a restart)")
    assert verdicts.p1(lists_ok + cold)["met"]


def test_p2_judges_every_kind_of_row_including_after_writes():
    steady = verdicts.rows(times(2.0, 10.0, 1.1), "page")
    writes = verdicts.rows(
        times(2.0, 10.0, 1.6, "SOS Desk, figures"), "after writes in 100 schools"
    )
    result = verdicts.p2(steady + writes)
    assert not result["met"]
    assert result["worst"] == {
        "page": ("schools, list", 1.1),
        "after writes in 100 schools": ("SOS Desk, figures", 1.6),
    }
    assert verdicts.p2(steady)["met"]
    assert "after writes in 100 schools: worst 1.6×" in verdicts.p2_text(result)
    assert not verdicts.p2([])["met"]
