"""Adding and renaming kecamatan and kelurahan by hand (the Koordinator, on /wilayah/).

One region added or changed is a one-row regions import (`schools.region_import`): the same
checks (codes, unique names, a kelurahan with schools keeps its kecamatan) and the same
write, in one transaction with its audit row."""

from django.db import transaction
from django.http import HttpRequest

from peksos.accounts.models import User
from peksos.core import audit
from peksos.core.refusals import Refusal

from . import region_import
from .models import Kecamatan, Kelurahan


def region_save(
    *, code: str, name: str, parent: str = "", by: User, request: HttpRequest | None = None
) -> Kecamatan | Kelurahan:
    """Add the region `code` or change its name (and a kelurahan's kecamatan, `parent`'s
    code). Raises Refusal with every problem found."""
    with transaction.atomic():
        result = region_import.check_rows(
            [{"line": 1, "code": code, "name": name, "parent": parent}]
        )
        if result.errors:
            raise Refusal(result.errors[0]["messages"])
        created, _updated = region_import.apply_rows(result.rows)
        model = Kelurahan if parent else Kecamatan
        region = model.objects.get(code=code)
        action = "region_created" if created else "region_changed"
        audit.record(action, actor=by, obj=region, request=request)
    return region
