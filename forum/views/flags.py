"""Flags: a member flags a post (one flag per post), a moderator sees the open flags and
resolves them, hiding or keeping the post. Posts are fetched through forum.permissions
(404 when hidden from the user); flagging needs can_flag (403), resolving a moderator (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import services
from ..forms import FlagForm, FlagResolveForm
from ..models import Flag, Post, Question
from ..permissions import (
    author_label,
    can_flag,
    get_answer_for_user,
    get_question_for_user,
    require_moderator,
)

QUEUE_SIZE = 100


def _question_of(post: Post) -> Question:
    return post if isinstance(post, Question) else post.question


def _flag(request: HttpRequest, post: Post) -> HttpResponse:
    if not can_flag(request.user, post):
        raise PermissionDenied
    form = FlagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_flag(
                post=post,
                by=request.user,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. A moderator will look at the post."))
            url = reverse("forum:question-detail", args=[_question_of(post).uid])
            return redirect(url)
    post.shown_author = author_label(post, request.user)
    context = {"post": post, "question": _question_of(post), "form": form}
    return render(request, "forum/flag_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def question_flag(request: HttpRequest, uid) -> HttpResponse:
    return _flag(request, get_question_for_user(request.user, uid))


@require_http_methods(["GET", "POST"])
@login_required
def answer_flag(request: HttpRequest, uid) -> HttpResponse:
    return _flag(request, get_answer_for_user(request.user, uid))


@require_safe
@login_required
def flag_queue(request: HttpRequest) -> HttpResponse:
    """The posts with open flags, the most flagged first, each with its reasons."""
    require_moderator(request.user)
    flags = list(
        Flag.objects.filter(resolved_at=None)
        .select_related("question__author", "answer__author", "answer__question")
        .order_by("created_at", "id")[: QUEUE_SIZE * 5]
    )
    posts: dict[tuple[str, int], dict] = {}
    for flag in flags:
        post = flag.post
        key = ("question" if flag.question_id else "answer", post.pk)
        entry = posts.setdefault(key, {"post": post, "kind": key[0], "flags": []})
        entry["flags"].append(flag)
    items = sorted(posts.values(), key=lambda e: (-len(e["flags"]), e["flags"][0].created_at))
    items = items[:QUEUE_SIZE]
    for entry in items:
        entry["post"].shown_author = author_label(entry["post"], request.user)
        entry["question"] = _question_of(entry["post"])
    context = {"items": items, "form": FlagResolveForm(), "queue_size": QUEUE_SIZE}
    return render(request, "forum/flag_queue.html", context)


def _resolve(request: HttpRequest, post: Post) -> HttpResponse:
    require_moderator(request.user)
    form = FlagResolveForm(request.POST)
    if form.is_valid():
        try:
            services.flags_resolve(
                post=post,
                by=request.user,
                hide=form.hide,
                text=form.cleaned_data["text"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The post is hidden.") if form.hide else _("The post is kept.")
            )
        return redirect("forum:flag-queue")
    post.shown_author = author_label(post, request.user)
    return render(request, "forum/flag_resolve.html", {"post": post, "form": form})


@require_POST
@login_required
def question_flags_resolve(request: HttpRequest, uid) -> HttpResponse:
    return _resolve(request, get_question_for_user(request.user, uid))


@require_POST
@login_required
def answer_flags_resolve(request: HttpRequest, uid) -> HttpResponse:
    return _resolve(request, get_answer_for_user(request.user, uid))
