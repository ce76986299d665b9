"""Retention and destruction of SOS Desk cases (UU PDP: personal data is destroyed when its
retention ends), mirroring monitoring/retention.py.

A closed case is destroyed `SOSDESK_RETENTION_DAYS` after its closure (default 5 years, a
policy of the Dinas): the row and everything under it (timeline, messages with the reporter,
internal notes, attachments and their files, referrals, named handlers, recusals) are
deleted, with the procedure's records and their files (sosdesk/procedure/). What remains
is one `CaseDestruction` (what: the case's UUID, the key of its audit
rows; when; by which rule; and coarse fields the figures may count: school, month received
and closed, forms of violence, outcome, number of files) and one `case_destroyed` audit row
holding only the UUID. The tracking code is not kept: a reporter's code then finds nothing.
Backups still hold the encrypted columns until they expire; dropping an old key after a
rotation (docs/monitoring.md) makes those unreadable.

An open case is never destroyed. A closed case still referenced by a record of another app
(a child's monitoring record opened from it keeps it: on_delete=PROTECT) is kept and
counted as `held`; it is destroyed on the first run after that record is gone.

Run daily by beat (`sosdesk.tasks.destroy_expired_cases`) and by hand with
`manage.py destroy_expired_cases [--dry-run]`. Idempotent: each case is destroyed in its own
transaction, after locking it; a case already gone is skipped.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from peksos.core import audit
from peksos.core.uploads import private_storage

from .models import Case, CaseDestruction

log = logging.getLogger(__name__)


def retention() -> timedelta:
    return timedelta(days=settings.SOSDESK_RETENTION_DAYS)


def rule_text() -> str:
    return f"closed + {settings.SOSDESK_RETENTION_DAYS} days (SOSDESK_RETENTION_DAYS)"


def expired(now=None):
    """Closed cases whose retention has ended (their text not loaded)."""
    now = now or timezone.now()
    return (
        Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=now - retention())
        .defer("narrative", "reporter_name", "reporter_contact")
        .order_by("closed_at", "code")
    )


@dataclass
class Outcome:
    dry_run: bool
    codes: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # kept: another record still refers to it

    @property
    def count(self) -> int:
        return len(self.codes)


def _month(moment):
    return timezone.localtime(moment).date().replace(day=1)


class _Held(Exception):
    pass


def _files_of(case: Case) -> list[str]:
    """The stored files of every row under the case (attachments, evidence, documents...):
    found from the models, so a new kind of file under a case is destroyed too."""
    names: list[str] = []
    for relation in Case._meta.related_objects:
        model = relation.related_model
        fields = [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]
        if not fields:
            continue
        rows = model.objects.filter(**{relation.field.name: case}).values_list(*fields)
        names += [name for row in rows for name in row if name]
    return names


def _destroy_one(pk, now, rule: str) -> str | None:
    """Destroy one case; its code, or None when it is gone or no longer due. Raises _Held
    when another record still refers to it (nothing is changed then)."""
    with transaction.atomic():
        case = expired(now).select_for_update(of=("self",)).filter(pk=pk).first()
        if case is None:
            return None
        files = _files_of(case)
        code = case.code
        try:
            with transaction.atomic():
                CaseDestruction.objects.create(
                    case_uuid=case.pk,
                    destroyed_at=now,
                    rule=rule,
                    school_id=case.school_id,
                    received_month=_month(case.received_at),
                    closed_month=_month(case.closed_at),
                    forms=list(case.forms),
                    outcome=case.outcome,
                    files=len(files),
                )
                audit.record(
                    "case_destroyed", object_type=Case._meta.label_lower, object_id=str(case.pk)
                )
                # An interview protects its party: the interviews go first, then the rest
                # of the case in one cascade.
                case.interviews.all().delete()
                case.delete()
        except ProtectedError:
            raise _Held(code) from None

        def remove_files(names=tuple(files)) -> None:
            storage = private_storage()
            for name in names:
                try:
                    storage.delete(name)
                except OSError:  # the file's generated name says nothing about the case
                    log.exception("Could not delete a destroyed case's file.")

        transaction.on_commit(remove_files)
    return code


def destroy_expired(*, now=None, dry_run: bool = False) -> Outcome:
    now = now or timezone.now()
    due = list(expired(now).values_list("pk", "code"))
    if dry_run:
        return Outcome(dry_run=True, codes=[code for _pk, code in due])
    rule = rule_text()
    outcome = Outcome(dry_run=False)
    for pk, code in due:
        try:
            destroyed = _destroy_one(pk, now, rule)
        except _Held:
            outcome.held.append(code)
            continue
        if destroyed:
            outcome.codes.append(destroyed)
    return outcome
