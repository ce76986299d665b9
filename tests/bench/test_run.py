"""The verdict rows of the results page (bench/run.py)."""

import run


def load(failures=0, p95=300.0, placeholders=0) -> dict:
    total = {"page": "Aggregated", "requests": 900, "failures": failures, "median_ms": 80}
    return {
        "pages": [{**total, "p95_ms": p95}],
        "writes": {"writes": 240, "errors": 0},
        "placeholders": placeholders,
    }


def test_p7_needs_no_error_a_p95_under_500_ms_and_no_placeholder():
    assert run.p7(load())[3] is True
    assert run.p7(load(failures=1))[3] is False
    assert run.p7(load(p95=650))[3] is False
    code, text, _target, met = run.p7(load(placeholders=3))
    assert (code, met) == ("P7", False) and "3 'being prepared' pages" in text
    assert "240 writes" in text
    assert run.p7({})[3] == "not measured"


def test_p1_p2_read_the_interleaved_rows_and_refuse_the_old_format():
    row = {"city": {"median": 10.0}, "national": {"median": 12.0}}
    rows = [
        {**row, "page": "/ping", "kind": "page", "national_per_city": 1.0},
        {
            **row,
            "page": "schools, list",
            "kind": "page",
            "national_per_city": 1.2,
            "city_per_ping": 5.0,
            "national_per_ping": 6.0,
        },
    ]
    p1, p2 = run.p1_p2({"rows": rows, "placeholders": 0})
    assert p1[3] is True and p2[3] is True
    assert run.p1_p2({"rows": rows, "placeholders": 2})[1][3] is False
    old = {"rows": [{"page": "home (dashboard)", "city_ms": 10, "national_per_city": 1.0}]}
    assert run.p1_p2(old)[0][3] == "not measured"
    assert run.p1_p2({})[1][3] == "not measured"
