"""Frequently asked questions, written by staff from private consultations: the list and
search (every forum user), an entry's page, writing and changing drafts (staff), publishing
and withdrawing (a moderator other than the writer). See forum.permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core.pagination import page_for, page_links

from .. import faq
from ..forms import FaqForm, FaqSearchForm
from ..models import FaqEntry, Question
from ..permissions import (
    answers_visible_to,
    author_label,
    can_moderate,
    can_write_faq,
    get_faq_for_user,
    get_faq_source_for_user,
    require_faq_writer,
    require_moderator,
)
from ..search import search_faq

LIST_ORDER = ("-published_at", "-id")
DRAFTS_SHOWN = 50


@require_safe
@login_required
def faq_list(request: HttpRequest) -> HttpResponse:
    form = FaqSearchForm(request.GET or None)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    entries = search_faq(FaqEntry.objects.published(), query).select_related("category")
    page = page_for(request, entries, LIST_ORDER)
    drafts = []
    if can_write_faq(request.user):
        drafts = list(
            FaqEntry.objects.filter(status=FaqEntry.Status.DRAFT)
            .select_related("category")
            .order_by("created_at", "id")[:DRAFTS_SHOWN]
        )
    context = {
        "form": form,
        "query": query,
        "page": page,
        "drafts": drafts,
        "can_write": can_write_faq(request.user),
        **page_links(request, page),
    }
    return render(request, "forum/faq_list.html", context)


@require_safe
@login_required
def faq_detail(request: HttpRequest, uid) -> HttpResponse:
    entry = get_faq_for_user(request.user, uid)
    staff = can_write_faq(request.user)
    context = {
        "entry": entry,
        "is_staff": staff,
        "can_moderate": can_moderate(request.user),
        "source": entry.source_question if staff else None,
    }
    return render(request, "forum/faq_detail.html", context)


def _write(request: HttpRequest, source: Question | None) -> HttpResponse:
    initial = {"category": source.category} if source else {}
    form = FaqForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = faq.faq_create(
                source=source,
                category=data["category"],
                title=data["title"],
                question_text=data["question_text"],
                answer_text=data["answer_text"],
                by=request.user,
                idempotency_key=data["idempotency_key"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft is saved. Another moderator publishes it."))
            return redirect("forum:faq-detail", uid=entry.uid)
    answers = []
    if source is not None:
        source.shown_author = author_label(source, request.user)
        answers = list(
            answers_visible_to(request.user, source).published().select_related("author")
        )
        for answer in answers:
            answer.shown_author = author_label(answer, request.user)
    context = {"form": form, "source": source, "answers": answers, "entry": None}
    return render(request, "forum/faq_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def faq_create(request: HttpRequest) -> HttpResponse:
    require_faq_writer(request.user)
    return _write(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def faq_create_from(request: HttpRequest, uid) -> HttpResponse:
    return _write(request, get_faq_source_for_user(request.user, uid))


@require_http_methods(["GET", "POST"])
@login_required
def faq_edit(request: HttpRequest, uid) -> HttpResponse:
    entry = get_faq_for_user(request.user, uid)
    require_faq_writer(request.user)
    if entry.status == FaqEntry.Status.WITHDRAWN:
        raise PermissionDenied
    form = FaqForm(request.POST if request.method == "POST" else None, instance=entry)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            faq.faq_edit(
                entry=entry,
                category=data["category"],
                title=data["title"],
                question_text=data["question_text"],
                answer_text=data["answer_text"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The entry is changed and waits for review again."))
            return redirect("forum:faq-detail", uid=entry.uid)
    context = {"form": form, "source": None, "answers": [], "entry": entry}
    return render(request, "forum/faq_form.html", context)


def _moderate(request: HttpRequest, uid, service, done: str) -> HttpResponse:
    entry = get_faq_for_user(request.user, uid)
    require_moderator(request.user)
    try:
        service(entry=entry, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("forum:faq-detail", uid=entry.uid)


@require_POST
@login_required
def faq_publish(request: HttpRequest, uid) -> HttpResponse:
    return _moderate(request, uid, faq.faq_publish, _("The entry is published."))


@require_POST
@login_required
def faq_withdraw(request: HttpRequest, uid) -> HttpResponse:
    return _moderate(request, uid, faq.faq_withdraw, _("The entry is withdrawn."))
