"""The "follow-up visit" action of a child's record (issue 18; `monitoring.follow_up`): for
the record's PEKSOS or a Koordinator, a redirect to the by-hand visit form prefilled with the
record's school and origin. Another school's record answers 404, a reader who may not plan
visits for it 403 (as every record action, through `views._get_record`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from .follow_up import can_plan_follow_up, new_visit_url
from .views.common import _get_record, _require_access


@require_safe
@login_required
def record_follow_up_visit(request: HttpRequest, code: str) -> HttpResponse:
    _require_access(request)
    record = _get_record(request, code, check=can_plan_follow_up)
    return redirect(new_visit_url(record))
