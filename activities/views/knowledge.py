"""Knowledge tests, staff side: question sets (list, create, read, edit -> a new version once
answered), an activity's test (choose the set, results, paper entry) and the overview by
school. Every activity is fetched through `activities.permissions` (hidden: 404; visible but
not allowed: 403); school-side roles see aggregate figures only, none under 5 answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core.actions import run_step
from peksos.core.pagination import page_for, page_links

from ..models import ActivityTest, QuestionSet
from ..participant_forms import (
    PAPER_MAX_ROWS,
    PAPER_ROWS,
    ChooseSetForm,
    PaperEntryForm,
    QuestionSetForm,
    question_formset,
)
from ..permissions import (
    SMALL_SAMPLE,
    activities_visible_to,
    can_edit_activity,
    can_edit_question_sets,
    get_activity_for_user,
    knowledge_stats_for,
    require_activity_role,
    require_question_set_reader,
    sees_individual_answers,
)
from ..services import knowledge as services

ATTEMPTS_SHOWN = 500


# --- Question sets -----------------------------------------------------------------------------


@require_safe
@login_required
def question_set_list(request: HttpRequest) -> HttpResponse:
    require_question_set_reader(request.user)
    sets = QuestionSet.objects.filter(is_current=True).annotate(n_questions=Count("questions"))
    page = page_for(request, sets, ("title", "id"))
    context = {
        "page": page,
        "can_edit": can_edit_question_sets(request.user),
        **page_links(request, page),
    }
    return render(request, "activities/knowledge_set_list.html", context)


def _save_set(request, form, formset, existing=None):
    """Validate both forms; on success save and redirect, else None (the page shows errors)."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    try:
        qset = services.save_question_set(
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            questions=[services.QuestionData(**q) for q in formset.questions()],
            by=request.user,
            existing=existing,
            request=request,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    if existing is not None and qset.pk != existing.pk:
        messages.success(
            request,
            _("The set was already answered, so your change is saved as version %(v)s.")
            % {"v": qset.version},
        )
    else:
        messages.success(request, _("The question set is saved."))
    return redirect("activities:question-set", qset.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def question_set_create(request: HttpRequest) -> HttpResponse:
    if not can_edit_question_sets(request.user):
        raise PermissionDenied
    form = QuestionSetForm(request.POST if request.method == "POST" else None)
    formset = question_formset(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _save_set(request, form, formset)
        if done:
            return done
    context = {"form": form, "formset": formset, "qset": None}
    return render(request, "activities/knowledge_set_form.html", context)


@require_safe
@login_required
def question_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_question_set_reader(request.user)
    qset = get_object_or_404(QuestionSet, pk=pk)
    versions = QuestionSet.objects.filter(pk=qset.family_id) | QuestionSet.objects.filter(
        root_id=qset.family_id
    )
    context = {
        "qset": qset,
        "questions": list(qset.questions.all()),
        "versions": versions.annotate(n_attempts=Count("attempts")).order_by("-version"),
        "frozen": qset.is_frozen,
        "can_edit": can_edit_question_sets(request.user) and qset.is_current,
    }
    return render(request, "activities/knowledge_set_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def question_set_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_question_set_reader(request.user)
    qset = get_object_or_404(QuestionSet, pk=pk)
    if not can_edit_question_sets(request.user):
        raise PermissionDenied
    if not qset.is_current:
        messages.error(request, _("This is an old version; change the current one."))
        return redirect("activities:question-set", qset.pk)
    if request.method == "POST":
        form = QuestionSetForm(request.POST)
        formset = question_formset(request.POST)
        done = _save_set(request, form, formset, existing=qset)
        if done:
            return done
    else:
        form = QuestionSetForm(initial={"title": qset.title, "description": qset.description})
        formset = question_formset(qset=qset)
    context = {"form": form, "formset": formset, "qset": qset, "frozen": qset.is_frozen}
    return render(request, "activities/knowledge_set_form.html", context)


# --- An activity's test ----------------------------------------------------------------------


def _test_activity(request: HttpRequest, pk: int, *, check=None):
    activity = get_activity_for_user(request.user, pk, check=check)
    if activity.kind not in services.TEST_KINDS:
        raise Http404
    return activity


def _difficulty(activity, individual: bool) -> list[dict]:
    """Per question; outside the programme staff, a phase with fewer than 5 answers is left
    out (its shares would be one person's answers)."""
    rows = services.question_difficulty(activity)
    if not individual:
        for row in rows:
            for phase in ("pre", "post"):
                if row[f"{phase}_n"] < SMALL_SAMPLE:
                    row[f"{phase}_correct"] = None
    return rows


@require_safe
@login_required
def activity_test(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _test_activity(request, pk)
    test = ActivityTest.objects.filter(activity=activity).select_related("question_set").first()
    summary = services.knowledge_summary(activities_visible_to(request.user).filter(pk=pk))
    stats = knowledge_stats_for(request.user, summary["overall"])
    individual = sees_individual_answers(request.user)
    hidden = stats is None
    can_edit = can_edit_activity(request.user, activity)
    answered = summary["overall"]["pre_n"] + summary["overall"]["post_n"] > 0
    context = {
        "activity": activity,
        "test": test,
        "stats": stats,
        "hidden": hidden,
        "individual": individual,
        "can_edit": can_edit,
        "answered": answered,
        "difficulty": _difficulty(activity, individual) if test and not hidden else [],
        "attempts": list(activity.test_attempts.order_by("phase", "id")[:ATTEMPTS_SHOWN])
        if individual
        else [],
        "choose_form": ChooseSetForm(
            initial={"question_set": test.question_set_id if test else None}
        )
        if can_edit and not answered
        else None,
    }
    return render(request, "activities/knowledge_activity.html", context)


@require_POST
@login_required
def activity_test_choose(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _test_activity(request, pk, check=can_edit_activity)
    form = ChooseSetForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("question_set", [])))
        return redirect("activities:test", pk)
    return run_step(
        request,
        lambda: services.choose_set(
            activity, form.cleaned_data["question_set"], by=request.user, request=request
        ),
        _("The question set is chosen."),
        "activities:test",
        pk=pk,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def activity_test_paper(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _test_activity(request, pk, check=can_edit_activity)
    test = ActivityTest.objects.filter(activity=activity).select_related("question_set").first()
    if test is None:
        messages.error(request, _("Choose the question set first."))
        return redirect("activities:test", pk)
    questions = list(test.question_set.questions.all())
    try:
        rows = int(request.POST.get("baris") or request.GET.get("baris") or PAPER_ROWS)
    except (TypeError, ValueError, OverflowError):
        rows = PAPER_ROWS
    rows = max(1, min(rows, PAPER_MAX_ROWS))
    form = PaperEntryForm(
        request.POST if request.method == "POST" else None, questions=questions, rows=rows
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = services.enter_paper_attempts(
                activity,
                phase=form.cleaned_data["phase"],
                rows=[services.PaperRow(**row) for row in form.cleaned_data["rows"]],
                batch_key=form.cleaned_data["idempotency_key"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(n)s paper tests are saved.") % {"n": count})
            return redirect("activities:test", pk)
    context = {
        "activity": activity,
        "test": test,
        "questions": questions,
        "form": form,
        "rows": rows,
        "more_rows": min(rows + 15, PAPER_MAX_ROWS),
    }
    return render(request, "activities/knowledge_paper.html", context)


# --- Overview ---------------------------------------------------------------------------------


@require_safe
@login_required
def knowledge_overview(request: HttpRequest) -> HttpResponse:
    require_activity_role(request.user)
    summary = services.knowledge_summary(activities_visible_to(request.user))
    rows = [
        knowledge_stats_for(request.user, row) or {**row, "hidden": True}
        for row in summary["by_school"]
    ]
    overall = knowledge_stats_for(request.user, summary["overall"]) or {"hidden": True}
    context = {"rows": rows, "overall": overall}
    return render(request, "activities/knowledge_overview.html", context)
