"""The nightly check of the register-wide figures (peksos/core/tallies.py): every school's
contribution derived again from its source rows, every total from the contributions; what
differed is repaired, logged and written to the audit log (`tallies.drift_repaired`)."""

from django.db import router

from peksos.core import audit, tallies, tally_compaction
from peksos.core.models import SchoolTally

from .models import School


def check(names: list[str] | None = None) -> tallies.Drift:
    ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
    drift = tallies.rebuild(ids, names)
    if drift:
        for line in drift.lines():
            audit.record("tallies.drift_repaired", object_type="core.tally", object_id=line[:64])
    tally_compaction.compact()
    return drift


def fill_if_empty(using: str = "default") -> list[str]:
    """Count each figure that was never counted from the source rows, when the register has
    schools (the first `migrate` after the tallies came or after a figure was added or
    re-keyed, a database loaded by COPY): nobody meets a figure of zeros after a deployment.
    Returns the figures counted."""
    if using != router.db_for_write(SchoolTally):
        return []
    if not School.objects.using(using).exists():
        return []
    counted = set(SchoolTally.objects.using(using).values_list("figure", flat=True).distinct())
    missing = [figure.name for figure in tallies.figures() if figure.name not in counted]
    if missing:
        ids = list(School.objects.using(using).order_by("pk").values_list("pk", flat=True))
        tallies.rebuild(ids, missing, first_count=True)
        tally_compaction.compact()
    return missing
