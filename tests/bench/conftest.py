"""The benchmark scripts live in bench/ and import each other as top-level modules (they run
as scripts): their folder goes on the import path for these tests."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
