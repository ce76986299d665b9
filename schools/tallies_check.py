"""The nightly check of the register-wide figures (peksos/core/tallies.py): every school's
contribution derived again from its source rows, every total from the contributions; what
differed is repaired, logged and written to the audit log (`tallies.drift_repaired`)."""

from peksos.core import audit, tallies

from .models import School


def check(names: list[str] | None = None) -> tallies.Drift:
    ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
    drift = tallies.rebuild(ids, names)
    if drift:
        for line in drift.lines():
            audit.record("tallies.drift_repaired", object_type="core.tally", object_id=line[:64])
    tallies.compact()
    return drift
