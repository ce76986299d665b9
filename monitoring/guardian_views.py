"""Guardians linked to a child's record (issue #17): the record's PEKSOS or a Koordinator ties
a parent's account of the child's school to the record, or ends the link, each with a reason
and each audited by its service. Only linked parents may be asked for an observation
(`permissions.observers_of`). Both are POSTs to their own URL; the record's page shows the
form and the list (`views._render_detail`)."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import observations
from .forms import GuardianEndForm, GuardianLinkForm
from .permissions import can_manage
from .views.common import _act, _denied, _get_record, _render_detail


@require_POST
@login_required
def guardian_link(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    form = GuardianLinkForm(request.POST, record=record)
    if not form.is_valid():
        return _render_detail(request, record, status=400, guardian_form=form)
    step = partial(
        observations.guardian_link,
        record=record,
        guardian=form.cleaned_data["guardian"],
        reason=form.cleaned_data["reason"],
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Parent linked: they may now be asked to observe."))


@require_POST
@login_required
def guardian_end(request: HttpRequest, code: str, pk) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    link = record.guardian_links.filter(pk=pk).first()
    if link is None:
        raise _denied(request, record.code, Http404())
    link.record = record
    form = GuardianEndForm(request.POST, prefix=f"end-{link.pk}")
    if not form.is_valid():
        return _render_detail(request, record, status=400, ending=(link.pk, form))
    step = partial(
        observations.guardian_unlink,
        link=link,
        reason=form.cleaned_data["end_reason"],
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Link ended: this parent can no longer be asked."))
