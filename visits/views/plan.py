"""Generating the year's plan (the Koordinator) and the result of a run, with the schools
that could not be placed and why."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from schools.models import School

from .. import planner, services
from ..forms import PlanForm
from ..models import PlanRun, Visit
from ..permissions import can_plan
from ..planning import PlanOptions

REASON_TEXT = {
    planner.NO_DAY: gettext_lazy(
        "no visit day left in the semester (weekends, holidays, the school's blocked periods, "
        "or the semester is over)"
    ),
    planner.GAP: gettext_lazy("no visit day far enough from the school's other visits"),
    planner.NO_PEKSOS: gettext_lazy("no PEKSOS of the school has a free day"),
    planner.NO_PSIKOLOG: gettext_lazy("no psychologist is free on a day a PEKSOS is free"),
    planner.NO_PENDAMPING: gettext_lazy("no pendamping sosial is free on such a day"),
}
UNPLACED_SHOWN = 500


def plan_kinds_shown(run: PlanRun) -> list[tuple[int, list[str]]]:
    """The activity kinds of each semester the run was asked for (older runs: one kind)."""
    labels = dict(Visit.Kind.choices)
    shown = []
    for semester in (1, 2):
        chosen = run.options.get(f"kinds_semester_{semester}")
        if chosen is None:
            chosen = [run.options.get(f"kind_semester_{semester}", "")]
        shown.append((semester, [str(labels[k]) for k in chosen if k in labels]))
    return shown


def _require_planner(user) -> None:
    if not can_plan(user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    _require_planner(request.user)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = PlanOptions(
            year=data["year"],
            kinds_semester_1=form.kinds(1),
            kinds_semester_2=form.kinds(2),
            pendamping_always=data["pendamping_always"],
            min_gap_weeks=data["min_gap_weeks"],
        )
        run = services.plan_generate(
            options=options, schools=form.schools(), by=request.user, request=request
        )
        messages.success(request, _("%(placed)d visits were proposed.") % {"placed": run.placed})
        return redirect("visits:plan-detail", pk=run.pk)
    runs = PlanRun.objects.select_related("created_by")[:10]
    return render(request, "visits/plan_create.html", {"form": form, "runs": runs})


@require_safe
@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_planner(request.user)
    run = get_object_or_404(PlanRun.objects.select_related("created_by"), pk=pk)
    rows = run.unplaced[:UNPLACED_SHOWN]
    schools = School.objects.select_related("kecamatan").in_bulk([r["school"] for r in rows])
    kinds = dict(Visit.Kind.choices)
    unplaced = [
        {
            "school": schools.get(r["school"]),
            "semester": r["semester"],
            "kind": kinds.get(r.get("kind", ""), ""),
            "reason": REASON_TEXT.get(r["reason"], r["reason"]),
        }
        for r in rows
    ]
    context = {
        "run": run,
        "unplaced": unplaced,
        "more": len(run.unplaced) - len(rows),
        "kinds": plan_kinds_shown(run),
    }
    return render(request, "visits/plan_detail.html", context)
