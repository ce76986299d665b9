"""The caseload list, opening a record, a record's page, revealing the name, closing and
referring it."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.accounts.models import Role
from peksos.core.pagination import page_for, page_links
from schools.permissions import schools_served_by
from sosdesk.permissions import get_case_for_user

from .. import services
from ..forms import (
    CloseForm,
    RecordFilterForm,
    RecordOpenForm,
    ReferForm,
)
from ..models import ChildRecord
from ..permissions import (
    can_manage,
    can_open_for_school,
    can_reveal_identity,
    children_visible_to,
    is_supervisor,
)
from .common import CASE_CODE_SHAPE, LIST_ORDER, _act, _get_record, _render_detail, _require_access

# --- The caseload list and opening a record ---------------------------------------------------


@require_safe
@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    """Records the user may see, by code and initials only (no name is loaded)."""
    _require_access(request)
    form = RecordFilterForm(request.GET or None)
    records = form.filter(children_visible_to(request.user)).select_related("school", "peksos")
    page = page_for(request, records, LIST_ORDER)
    now = timezone.now()
    for record in page.items:
        record.overdue = record.is_overdue(now)
    context = {
        "form": form,
        "page": page,
        "may_open": request.user.role != Role.PSIKOLOG,
        **page_links(request, page),
    }
    return render(request, "monitoring/record_list.html", context)


def _case_from_query(request: HttpRequest):
    code = request.GET.get("kasus", "")
    if not code:
        return None
    if not CASE_CODE_SHAPE.fullmatch(code):
        raise Http404
    return get_case_for_user(request.user, code)  # 404 for a case the user may not see


@require_http_methods(["GET", "POST"])
@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    """Open a record: directly, or from an SOS Desk case (`?kasus=<code>`: its school)."""
    _require_access(request)
    user = request.user
    if user.role == Role.PSIKOLOG:  # sees referred records, opens none
        raise PermissionDenied
    case = _case_from_query(request)
    if case is not None and not can_open_for_school(user, case.school):
        raise PermissionDenied
    initial = {"peksos": user.pk if user.role == Role.PEKSOS else None}
    form = RecordOpenForm(
        request.POST or None,
        schools=schools_served_by(user),
        fixed_school=case.school if case else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not can_open_for_school(user, data["school"]):
            raise PermissionDenied
        try:
            record = services.record_open(
                school=data["school"],
                class_level=data["class_level"],
                sex=data["sex"],
                birth_year=data["birth_year"],
                name=data["name"],
                guardian_contact=data["guardian_contact"],
                tier=data["tier"],
                case=case,
                # A PEKSOS who opens a record follows it unless they name someone else.
                peksos=data["peksos"] or (user if user.role == Role.PEKSOS else None),
                idempotency_key=data["idempotency_key"],
                by=user,
                request=request,
            )
        except ValidationError as exc:  # a refusal, e.g. a key of someone else's form
            form.add_error(None, exc)
        else:
            messages.success(request, _("Record %(code)s opened.") % {"code": record.code})
            return redirect("monitoring:record-detail", code=record.code)
    status = 400 if form.is_bound else 200
    context = {"form": form, "case": case, "duplicates": form.duplicates}
    return render(request, "monitoring/record_form.html", context, status=status)


# --- A record ---------------------------------------------------------------------------------


@require_safe
@login_required
def record_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _render_detail(request, _get_record(request, code))


@require_POST
@login_required
def record_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """The name and guardian's contact, shown once in this response (never redirected to, never
    stored in the session): one `child_name_revealed` audit row every time."""
    record = _get_record(request, code, check=can_reveal_identity)
    identity = services.identity_reveal(record=record, by=request.user, request=request)
    return render(
        request, "monitoring/record_reveal.html", {"record": record, **identity._asdict()}
    )


@require_POST
@login_required
def record_close(request: HttpRequest, code: str) -> HttpResponse:
    """Ask for the closure (outcome and reason); a Koordinator who did not ask approves it."""
    record = _get_record(request, code, check=can_manage)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, close_form=form)
    step = partial(
        services.record_close_request,
        record=record,
        outcome=form.cleaned_data["outcome"],
        note=form.cleaned_data["note"],
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Closure requested: a Koordinator will approve it."))


def _may_decide_closure(user, record: ChildRecord) -> bool:
    return is_supervisor(user)


@require_POST
@login_required
def record_close_approve(request: HttpRequest, code: str) -> HttpResponse:
    """Koordinators only (403 for the school's PEKSOS); not the one who asked (a message)."""
    record = _get_record(request, code, check=_may_decide_closure)
    step = partial(services.record_close_approve, record=record, by=request.user, request=request)
    return _act(request, record, step, _("The record was closed."))


@require_POST
@login_required
def record_close_reject(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=_may_decide_closure)
    step = partial(services.record_close_reject, record=record, by=request.user, request=request)
    return _act(request, record, step, _("Closure turned down: the record stays open."))


@require_POST
@login_required
def record_refer(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    form = ReferForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, refer_form=form)
    step = partial(
        services.record_refer,
        record=record,
        psikolog=form.cleaned_data["psikolog"],
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Referred: the psychologist now sees this record."))
