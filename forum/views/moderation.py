"""Moderation: the review queue and the moderators' actions on questions and answers
(approve, reject with a reason, hide with a reason). Each is a POST to its own URL; the post
is fetched through forum.permissions (404 when hidden from the user), then the user must be
a moderator (403). Every action leaves an audit row and a note the author reads."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from .. import services
from ..forms import ApproveForm, ReasonForm
from ..models import Answer, Post, Question
from ..permissions import (
    author_label,
    get_answer_for_user,
    get_question_for_user,
    require_moderator,
)

QUEUE_SIZE = 50

VERBS: dict[str, tuple[Callable, type, str]] = {
    "approve": (services.post_approve, ApproveForm, gettext_lazy("The post is published.")),
    "reject": (services.post_reject, ReasonForm, gettext_lazy("The post is not published.")),
    "hide": (services.post_hide, ReasonForm, gettext_lazy("The post is hidden.")),
}


@require_safe
@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    require_moderator(request.user)
    questions = list(
        Question.objects.pending()
        .select_related("author", "category", "school")
        .prefetch_related("notes", "images")
        .order_by("created_at", "id")[:QUEUE_SIZE]
    )
    answers = list(
        Answer.objects.pending()
        .select_related("author", "question")
        .prefetch_related("notes", "images")
        .order_by("created_at", "id")[:QUEUE_SIZE]
    )
    for post in questions + answers:
        post.shown_author = author_label(post, request.user)
        notes = post.notes.all()
        post.note = notes[0] if notes else None
    context = {
        "questions": questions,
        "answers": answers,
        "queue_size": QUEUE_SIZE,
        "approve_form": ApproveForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "forum/moderation_queue.html", context)


def _back(request: HttpRequest, post: Post) -> str:
    if request.POST.get("next") == "queue":
        return reverse("forum:moderation-queue")
    question = post if isinstance(post, Question) else post.question
    return reverse("forum:question-detail", args=[question.uid])


def _moderate(request: HttpRequest, post: Post, verb: str) -> HttpResponse:
    require_moderator(request.user)
    service, form_class, done = VERBS[verb]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(post=post, by=request.user, text=form.cleaned_data["text"], request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, str(done))
        return redirect(_back(request, post))
    post.shown_author = author_label(post, request.user)
    context = {"post": post, "form": form, "verb": verb, "next": request.POST.get("next", "")}
    return render(request, "forum/moderation_form.html", context)


def _question_action(verb: str):
    @require_POST
    @login_required
    def view(request: HttpRequest, uid) -> HttpResponse:
        return _moderate(request, get_question_for_user(request.user, uid), verb)

    view.__name__ = f"question_{verb}"
    return view


def _answer_action(verb: str):
    @require_POST
    @login_required
    def view(request: HttpRequest, uid) -> HttpResponse:
        return _moderate(request, get_answer_for_user(request.user, uid), verb)

    view.__name__ = f"answer_{verb}"
    return view


question_approve = _question_action("approve")
question_reject = _question_action("reject")
question_hide = _question_action("hide")
answer_approve = _answer_action("approve")
answer_reject = _answer_action("reject")
answer_hide = _answer_action("hide")
