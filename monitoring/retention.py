"""Retention and destruction of children's records (UU PDP: personal data is destroyed when
its retention ends).

A closed record is destroyed `MONITORING_RETENTION_DAYS` after its closure (default 5
years): the row and everything under it (consents and their encrypted form files, plan,
goals, scores, notes, measures, observations) are deleted. What remains is one
`DestructionRecord` (what: the record's UUID, the key of its audit rows; when; by which rule;
and the coarse fields the impact reports count) and one `child_record_destroyed` audit row
holding only the UUID and the rule. Backups still hold the encrypted columns until they
expire; dropping an old key after a rotation (docs/monitoring.md) makes those unreadable.

Run daily by beat (`monitoring.tasks.destroy_expired_records`) and by hand with
`manage.py destroy_expired_child_records [--dry-run]`. Idempotent: each record is destroyed
in its own transaction, after locking it; a record already gone is skipped.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peksos.core import audit

from .measures import wellbeing_improved
from .models import ChildRecord, Consent, DestructionRecord

log = logging.getLogger(__name__)


def retention() -> timedelta:
    return timedelta(days=settings.MONITORING_RETENTION_DAYS)


def rule_text() -> str:
    return f"closed + {settings.MONITORING_RETENTION_DAYS} days (MONITORING_RETENTION_DAYS)"


def expired(now=None):
    """Closed records whose retention has ended (identity columns not loaded)."""
    now = now or timezone.now()
    return (
        ChildRecord.objects.without_identity()
        .filter(status=ChildRecord.Status.CLOSED, closed_at__lt=now - retention())
        .order_by("closed_at", "code")
    )


@dataclass
class Outcome:
    dry_run: bool
    codes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.codes)


def _month(moment) -> "timezone.datetime.date":
    return timezone.localtime(moment).date().replace(day=1)


def _destroy_one(pk, now, rule: str) -> str | None:
    """Destroy one record; its code, or None when it is gone or no longer due."""
    files: list[str] = []
    with transaction.atomic():
        record = expired(now).select_for_update(of=("self",)).filter(pk=pk).first()
        if record is None:
            return None
        ratings = list(record.wellbeing_ratings.all())
        DestructionRecord.objects.create(
            record_uuid=record.pk,
            destroyed_at=now,
            rule=rule,
            school_id=record.school_id,
            tier=record.tier,
            sex=record.sex,
            opened_month=_month(record.created_at),
            closed_month=_month(record.closed_at),
            outcome=record.outcome or ChildRecord.Outcome.OTHER,
            wellbeing_improved=wellbeing_improved(ratings),
        )
        files = [
            name
            for name in Consent.objects.filter(record=record)
            .exclude(form_file="")
            .values_list("form_file", flat=True)
        ]
        code = record.code
        audit.record(
            "child_record_destroyed",
            object_type=ChildRecord._meta.label_lower,
            object_id=str(record.pk),
        )
        record.delete()

        def remove_files(names=tuple(files)) -> None:
            storage = Consent._meta.get_field("form_file").storage
            for name in names:
                try:
                    storage.delete(name)
                except OSError:  # logged without the name of the child (there is none here)
                    log.exception("Could not delete a destroyed record's consent file.")

        transaction.on_commit(remove_files)
    return code


def destroy_expired(*, now=None, dry_run: bool = False) -> Outcome:
    now = now or timezone.now()
    due = list(expired(now).values_list("pk", "code"))
    if dry_run:
        return Outcome(dry_run=True, codes=[code for _pk, code in due])
    rule = rule_text()
    outcome = Outcome(dry_run=False)
    for pk, _code in due:
        code = _destroy_one(pk, now, rule)
        if code:
            outcome.codes.append(code)
    return outcome
