"""Questions and answers: the list, asking, a question's page, answering, accepting an answer
and marking one helpful. Every question and answer is fetched through forum.permissions
(hidden: 404; visible but not allowed: 403); each action calls one service and redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core import audit
from peksos.core.pagination import page_for, page_links

from .. import services
from ..forms import AnswerForm, QuestionFilterForm, QuestionForm
from ..models import Answer, Category, HelpfulMark, Question
from ..permissions import (
    answers_visible_to,
    author_label,
    can_accept,
    can_answer,
    can_flag,
    can_mark_helpful,
    can_moderate,
    can_write_faq,
    get_answer_for_user,
    get_question_for_user,
    is_forum_staff,
    listed_questions,
)
from ..search import search_questions

LIST_ORDER = ("-created_at", "id")  # newest first; the id breaks ties


def _detail_url(question: Question, anchor: str = "") -> str:
    url = reverse("forum:question-detail", args=[question.uid])
    return f"{url}#{anchor}" if anchor else url


@require_safe
@login_required
def question_list(request: HttpRequest) -> HttpResponse:
    categories = list(Category.objects.filter(is_active=True))
    form = QuestionFilterForm(request.GET or None, categories=categories)
    questions = listed_questions(request.user, mine=form.show == "saya")
    if form.category:
        questions = questions.in_category(form.category)
    if form.show == "belum-dijawab":
        questions = questions.unanswered()
    elif form.show == "sudah-dijawab":
        questions = questions.answered()
    if form.query:
        questions = search_questions(questions, form.query)
    questions = questions.select_related("author", "category").defer("body")
    page = page_for(request, questions, LIST_ORDER)
    for question in page.items:
        question.shown_author = author_label(question, request.user)
    context = {
        "form": form,
        "categories": categories,
        "current": form.category,
        "show": form.show,
        "query": form.query,
        "page": page,
        "can_moderate": can_moderate(request.user),
        **page_links(request, page),
    }
    return render(request, "forum/question_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def question_create(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("kategori", "")[:60]
    category = Category.objects.filter(slug=slug, is_active=True).first() if slug else None
    form = QuestionForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"category": category} if category else {},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = services.question_ask(
                author=request.user,
                category=data["category"],
                title=data["title"],
                body=data["body"],
                pseudonymous=data.get("pseudonymous", False),
                private=data["private"],
                image=data.get("image"),
                idempotency_key=data["idempotency_key"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if question.is_published:
                messages.success(request, _("Your question is published."))
            else:
                messages.info(request, _("Your question waits for a moderator. See why below."))
            return redirect(_detail_url(question))
    return render(request, "forum/question_form.html", {"form": form})


def _render_detail(
    request: HttpRequest, question: Question, answer_form: AnswerForm
) -> HttpResponse:
    user = request.user
    answers = list(
        answers_visible_to(user, question)
        .select_related("author")
        .prefetch_related("notes", "images")
    )
    answers.sort(key=lambda a: (a.pk != question.accepted_answer_id, a.created_at, a.pk))
    marked = set(
        HelpfulMark.objects.filter(user=user, answer__question=question).values_list(
            "answer_id", flat=True
        )
    )
    for answer in answers:
        answer.shown_author = author_label(answer, user)
        answer.is_marked = answer.pk in marked
        answer.can_mark = can_mark_helpful(user, answer)
        answer.can_flag = can_flag(user, answer)
        notes = answer.notes.all()  # prefetched, newest first
        answer.note = notes[0] if notes and not answer.is_published else None
    question.shown_author = author_label(question, user)
    question.photos = list(question.images.all())
    moderator = can_moderate(user)
    note = None
    if not question.is_published:
        note = question.notes.select_related("by").first()
    if question.private and question.author_id != user.pk:
        audit.record("forum_private_question_viewed", request=request, obj=question)
    context = {
        "question": question,
        "note": note,
        "answers": answers,
        "answer_form": answer_form,
        "can_answer": can_answer(user, question),
        "can_accept": can_accept(user, question),
        "can_moderate": moderator,
        "is_staff": is_forum_staff(user),
        "can_flag_question": can_flag(user, question),
        "can_write_faq": can_write_faq(user),
    }
    return render(request, "forum/question_detail.html", context)


@require_safe
@login_required
def question_detail(request: HttpRequest, uid) -> HttpResponse:
    question = get_question_for_user(request.user, uid)
    return _render_detail(request, question, AnswerForm(user=request.user))


@require_POST
@login_required
def answer_create(request: HttpRequest, uid) -> HttpResponse:
    question = get_question_for_user(request.user, uid)
    if not can_answer(request.user, question):
        raise PermissionDenied
    form = AnswerForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        try:
            answer = services.answer_post(
                question=question,
                author=request.user,
                body=form.cleaned_data["body"],
                image=form.cleaned_data.get("image"),
                idempotency_key=form.cleaned_data["idempotency_key"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if answer.is_published:
                messages.success(request, _("Your answer is published."))
            else:
                messages.info(request, _("Your answer waits for a moderator. See why below."))
            return redirect(_detail_url(question, f"jawaban-{answer.uid}"))
    return _render_detail(request, question, form)


@require_POST
@login_required
def answer_accept(request: HttpRequest, uid) -> HttpResponse:
    answer: Answer = get_answer_for_user(request.user, uid)
    if not can_accept(request.user, answer.question) or not answer.is_published:
        raise PermissionDenied
    services.answer_accept(answer=answer, by=request.user, request=request)
    messages.success(request, _("The answer is marked as the accepted answer."))
    return redirect(_detail_url(answer.question, f"jawaban-{answer.uid}"))


@require_POST
@login_required
def answer_helpful(request: HttpRequest, uid) -> HttpResponse:
    answer: Answer = get_answer_for_user(request.user, uid)
    if not can_mark_helpful(request.user, answer):
        raise PermissionDenied
    marked = services.answer_mark_helpful(answer=answer, by=request.user, request=request)
    if marked:
        messages.success(request, _("Thank you: the answer is marked as helpful."))
    else:
        messages.info(request, _("Your helpful mark was taken back."))
    return redirect(_detail_url(answer.question, f"jawaban-{answer.uid}"))
