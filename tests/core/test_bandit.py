"""S12: bandit over the application code finds nothing untriaged.

The configuration is [tool.bandit] in pyproject.toml (tests, migrations, the venv and vendored
files excluded). A finding that is not a real problem is triaged in the code with
`# nosec BXXX` and a comment saying why; a real one is fixed. This test fails on any high
severity finding, and on any medium or high one that bandit is highly confident about.
Runs offline: bandit is a pinned dev dependency (requirements-dev.txt).
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEVERITY = {"UNDEFINED": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}


@pytest.fixture(scope="module")
def report() -> dict:
    pytest.importorskip("bandit", reason="pip install -r requirements-dev.txt")
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", ".", "-f", "json", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.stdout, result.stderr
    return json.loads(result.stdout)


def untriaged(results: list[dict]) -> list[str]:
    return [
        f"{r['filename']}:{r['line_number']} {r['test_id']} "
        f"{r['issue_severity']}/{r['issue_confidence']}: {r['issue_text']}"
        for r in results
        if SEVERITY[r["issue_severity"]] >= SEVERITY["HIGH"]
        or (SEVERITY[r["issue_severity"]] >= SEVERITY["MEDIUM"] and r["issue_confidence"] == "HIGH")
    ]


def test_bandit_finds_nothing_untriaged(report):
    assert not report["errors"], report["errors"]
    assert report["metrics"]["_totals"]["loc"] > 10_000  # it really scanned the project
    assert untriaged(report["results"]) == []


def test_the_gate_catches_a_finding():
    """The filter itself: a high-severity finding and a confident medium one are reported,
    a low-confidence medium one is not."""
    finding = {"filename": "x.py", "line_number": 1, "test_id": "B000", "issue_text": "t"}
    results = [
        {**finding, "issue_severity": "HIGH", "issue_confidence": "LOW"},
        {**finding, "issue_severity": "MEDIUM", "issue_confidence": "HIGH"},
        {**finding, "issue_severity": "MEDIUM", "issue_confidence": "MEDIUM"},
        {**finding, "issue_severity": "LOW", "issue_confidence": "HIGH"},
    ]
    assert len(untriaged(results)) == 2


def test_every_nosec_names_its_check(report):
    """A bare `# nosec` would hide every check on its line: each must name the check(s)."""
    bare = []
    for path in report["metrics"]:
        if path == "_totals" or not path.endswith(".py"):
            continue
        for number, line in enumerate(Path(ROOT, path).read_text().splitlines(), 1):
            if re.search(r"#\s*nosec(?!\s+B\d{3})", line):
                bare.append(f"{path}:{number}")
    assert bare == []
