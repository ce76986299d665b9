"""Recovery of the victim (pemulihan): tasks with an owner and a due date, from the day the
report is received (46/2023: recovery does not wait for the examination)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peksos.accounts.models import User
from peksos.core import audit
from peksos.core.idempotency import create_once
from peksos.core.refusals import Refusal

from ..models import Case
from .common import locked_case, timeline
from .models import RecoveryTask


def task_add(
    *,
    case: Case,
    kind: str,
    description: str,
    owner: str,
    due_on,
    by: User,
    idempotency_key: str | None = None,
    request=None,
) -> RecoveryTask:
    earlier = (
        RecoveryTask.objects.filter(idempotency_key=idempotency_key, case=case, created_by=by)
        if idempotency_key
        else None
    )

    def make() -> RecoveryTask:
        locked = locked_case(case)
        task = RecoveryTask.objects.create(
            case=locked,
            kind=kind,
            description=description,
            owner=owner,
            due_on=due_on,
            created_by=by,
            idempotency_key=idempotency_key or None,
        )
        timeline(locked, by, _("recovery planned: %(kind)s") % {"kind": task.get_kind_display()})
        audit.record("case_recovery_planned", request=request, actor=by, obj=locked)
        return task

    with transaction.atomic():
        return create_once(earlier, make)[0]


def task_done(*, task: RecoveryTask, done_on, note: str, by: User, request=None) -> RecoveryTask:
    if done_on > timezone.localdate():
        raise Refusal(_("It cannot be done in the future."))
    with transaction.atomic():
        case = locked_case(task.case)
        task = RecoveryTask.objects.select_for_update().get(pk=task.pk)
        if task.done_on:
            raise Refusal(_("This task is already done."))
        task.done_on, task.done_note = done_on, note
        task.save(update_fields=["done_on", "done_note"])
        timeline(case, by, _("recovery done: %(kind)s") % {"kind": task.get_kind_display()})
        audit.record("case_recovery_done", request=request, actor=by, obj=case)
    return task
