"""The same form sent twice creates one row.

A form carries a hidden key (`peksos.core.forms.IdempotencyKeyField`); the model keeps it in a
column from `idempotency_key_column()`, the same in every model; the service that creates the
row ends in `create_once`, whether the two submits come one after the other or at the same
moment.
"""

from collections.abc import Callable

from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .refusals import Refusal


def idempotency_key_column() -> models.CharField:
    """The column of an idempotency key, the same in every model: unique when set."""
    return models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)


def create_once[T](
    earlier: QuerySet[T] | None, create: Callable[[], T], *, looked_up: bool = False
) -> tuple[T, bool]:
    """(object, created): what an earlier submit of the same form created (`earlier` finds it;
    None when the form carried no key), or what `create` makes now, inside a savepoint. When
    the insert fails on the key (the same form sent twice at the same moment) the first one's
    object is returned. A key that belongs to someone else's earlier form is refused with a
    request to send the form again (it is never a 500). `looked_up`: the caller has already
    looked for the earlier submit (before a rate limit, say), so it is not looked up twice."""
    if not looked_up and earlier is not None and (found := earlier.first()) is not None:
        return found, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        if earlier is None:
            raise
        if (found := earlier.first()) is not None:
            return found, False
        raise Refusal(_("Please send the form again."), code="stale") from None
