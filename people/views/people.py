"""The people pages: list, export, create, one person's page and its actions.

Koordinator only (`permissions.require_people_manager`: 403 for other roles). A person is
addressed by account id; the pages are the Koordinator's alone."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.accounts.models import Role, User
from peksos.accounts.reauth import needs_reauth
from peksos.core import audit
from peksos.core.dbrouter import read_alias
from peksos.core.pagination import page_for, page_links
from peksos.core.refusals import Refusal
from schools.models import SchoolMembership

from .. import exports, services
from ..filters import ORDER, PersonFilterForm, with_state
from ..forms import MembershipAddForm, PersonForm, SecondFactorResetForm
from ..permissions import require_people_manager


def _person(user_id: int) -> User:
    return get_object_or_404(with_state(User.objects.all()), pk=user_id)


def _refused(request: HttpRequest, exc: Refusal) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_safe
@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    require_people_manager(request.user)
    form = PersonFilterForm(request.GET or None)
    people = form.filter(User.objects.all())
    page = page_for(request, people, ORDER)
    context = {"form": form, "page": page, **page_links(request, page)}
    return render(request, "people/person_list.html", context)


@require_safe
@login_required
def person_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_people_manager(request.user)
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    if (prompt := needs_reauth(request)) is not None:
        return prompt
    form = PersonFilterForm(request.GET or None)
    with transaction.atomic():
        audit.record(f"people_export_{fmt}", request=request, object_type="accounts.user")
    # Every account (a manager's export): the read replica when there is one.
    people = form.filter(User.objects.using(read_alias())).order_by(*ORDER)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_lines(people), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="pengguna-{stamp}.csv"'
        return response
    buffer = io.BytesIO()
    exports.xlsx_workbook(people).save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"pengguna-{stamp}.xlsx")


def _invitation_page(request: HttpRequest, person: User, token: str) -> HttpResponse:
    """Shown once, straight from the POST: the token is stored nowhere in clear, so this
    page is the only place the link can be copied from (for WhatsApp)."""
    url = services.invitation_url(token, request)
    phone = person.phone
    if phone.startswith("0"):
        phone = "62" + phone[1:]
    context = {
        "person": person,
        "url": url,
        "text": services.whatsapp_text(person, url),
        "wa_phone": phone.lstrip("+"),
        "days": services.invitation_days(),
    }
    return render(request, "people/invitation_sent.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    require_people_manager(request.user)
    form = PersonForm(request.POST or None, initial=_prefill(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person, token = services.person_create(
            name=data["name"],
            role=data["role"],
            email=data["email"],
            phone=data["phone"],
            schools=data["schools"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("The account was made and the invitation sent."))
        return _invitation_page(request, person, token)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/person_form.html", {"form": form}, status=status)


def _prefill(request: HttpRequest) -> dict:
    """The school page's "invite the principal / an officer" links name the school and the
    role (?npsn=...&peran=...); anything else in them is ignored."""
    initial = {}
    npsn = request.GET.get("npsn", "")
    if npsn.isascii() and npsn.isdigit() and len(npsn) == 8:
        initial["schools"] = npsn
    role = request.GET.get("peran", "")
    if role in Role.values:
        initial["role"] = role
    return initial


@require_safe
@login_required
def person_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    require_people_manager(request.user)
    person = _person(user_id)
    context = {
        "person": person,
        "memberships": person.school_memberships.select_related("school__kecamatan").order_by(
            "school__name"
        ),
        "past": person.past_memberships.select_related("school", "ended_by"),
        "invitations": person.invitations.all()[:5],
        "resets": person.second_factor_resets.select_related("by")[:5],
        "membership_form": MembershipAddForm(),
        "is_self": person.pk == request.user.pk,
    }
    return render(request, "people/person_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def person_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    require_people_manager(request.user)
    person = _person(user_id)
    form = PersonForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                user=person,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                role=data["role"],
                by=request.user,
                request=request,
            )
        except Refusal as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("people:person-detail", user_id=person.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "person": person}
    return render(request, "people/person_form.html", context, status=status)


@require_POST
@login_required
def membership_add(request: HttpRequest, user_id: int) -> HttpResponse:
    require_people_manager(request.user)
    person = _person(user_id)
    form = MembershipAddForm(request.POST)
    if form.is_valid():
        added = services.memberships_add(
            user=person, schools=form.cleaned_data["school_list"], by=request.user, request=request
        )
        messages.success(request, _("Schools added: %(n)d.") % {"n": added})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("people:person-detail", user_id=person.pk)


@require_POST
@login_required
def membership_end(request: HttpRequest, user_id: int, pk: int) -> HttpResponse:
    require_people_manager(request.user)
    person = _person(user_id)
    membership = get_object_or_404(SchoolMembership, pk=pk, user=person)
    services.membership_end(membership=membership, by=request.user, request=request)
    messages.success(request, _("The membership was ended; it stays in the history."))
    return redirect("people:person-detail", user_id=person.pk)


def _act(request: HttpRequest, user_id: int, action, done: str) -> HttpResponse:
    require_people_manager(request.user)
    person = _person(user_id)
    try:
        action(user=person, by=request.user, request=request)
    except Refusal as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("people:person-detail", user_id=person.pk)


@require_POST
@login_required
def person_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act(
        request,
        user_id,
        services.person_deactivate,
        _("The account was deactivated; its sessions end on their next request."),
    )


@require_POST
@login_required
def person_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act(request, user_id, services.person_reactivate, _("The account is active again."))


@require_POST
@login_required
def person_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act(request, user_id, services.person_unlock, _("The account was unlocked."))


@require_POST
@login_required
def invitation_withdraw(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act(request, user_id, services.invitation_withdraw, _("The invitation was withdrawn."))


@require_POST
@login_required
def invitation_send(request: HttpRequest, user_id: int) -> HttpResponse:
    require_people_manager(request.user)
    person = _person(user_id)
    try:
        token = services.invitation_send(user=person, by=request.user, request=request)
    except Refusal as exc:
        _refused(request, exc)
        return redirect("people:person-detail", user_id=person.pk)
    messages.success(request, _("A new invitation was sent; the earlier link no longer works."))
    return _invitation_page(request, person, token)


@require_http_methods(["GET", "POST"])
@login_required
def second_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    require_people_manager(request.user)
    person = _person(user_id)
    if (prompt := needs_reauth(request)) is not None:
        return prompt
    form = SecondFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_reset(
                user=person, reason=form.cleaned_data["reason"], by=request.user, request=request
            )
        except Refusal as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The second factor was removed; the person enrols again at next login.")
            )
            return redirect("people:person-detail", user_id=person.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "person": person}
    return render(request, "people/second_factor_reset.html", context, status=status)
