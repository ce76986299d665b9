"""The door-prize draw of a One Day for Children, staff side: prizes, running the draw (again
only with a reason: a new draw supersedes the old, which stays), a draw's record, checking it
from its seed, and the projector page that shows the winners one by one.

The projector page has no script at all: "next winner" is a link to the same page with one
more winner shown (`?n=`), so nothing can break on the hall's laptop and no GET changes data.
Draws show adults' names, so SOS Desk officers (counts only) have no draw pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from peksos.core import audit
from visits.models import Visit

from ..models import Activity, Draw, Prize
from ..participant_forms import DrawForm, PrizeForm
from ..permissions import can_edit_activity, can_see_attendee_names, get_activity_for_user
from ..services import draw as services

TICKET_LABEL = gettext_lazy("Ticket number %(number)s")


def _draw_activity(request: HttpRequest, pk: int, *, check=None) -> Activity:
    activity = get_activity_for_user(request.user, pk)
    if activity.kind != Visit.Kind.ONE_DAY:
        raise Http404
    if not can_see_attendee_names(request.user):
        raise PermissionDenied
    if check is not None and not check(request.user, activity):
        raise PermissionDenied
    return activity


def _page(request, activity, *, prize_form=None, draw_form=None, status=200):
    draws = list(activity.draws.select_related("created_by").order_by("-number"))
    current = next((d for d in draws if d.state == Draw.State.CURRENT), None)
    context = {
        "activity": activity,
        "prizes": list(activity.prizes.all()),
        "attendee_count": activity.attendees.count(),
        "draws": draws,
        "current": current,
        "can_edit": can_edit_activity(request.user, activity),
        "prize_form": prize_form or PrizeForm(),
        "draw_form": draw_form
        or DrawForm(
            rerun=current is not None,
            initial={"tickets": current.snapshot.get("tickets", 0) if current else 0},
        ),
    }
    return render(request, "activities/draw_page.html", context, status=status)


@require_safe
@login_required
def draw_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _draw_activity(request, pk))


@require_POST
@login_required
def prize_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _draw_activity(request, pk, check=can_edit_activity)
    form = PrizeForm(request.POST)
    if not form.is_valid():
        return _page(request, activity, prize_form=form)
    prize = form.save(commit=False)
    prize.activity = activity
    with transaction.atomic():
        prize.save()
        audit.record("activity_prize_added", request=request, obj=prize)
    messages.success(request, _("The prize is added."))
    return redirect("activities:draw", pk)


@require_POST
@login_required
def prize_delete(request: HttpRequest, pk: int, prize_pk: int) -> HttpResponse:
    activity = _draw_activity(request, pk, check=can_edit_activity)
    prize = get_object_or_404(Prize, pk=prize_pk, activity=activity)
    with transaction.atomic():
        audit.record("activity_prize_removed", request=request, obj=prize)
        prize.delete()
    messages.success(request, _("The prize is removed. Recorded draws keep it as it was."))
    return redirect("activities:draw", pk)


@require_POST
@login_required
def draw_run(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _draw_activity(request, pk, check=can_edit_activity)
    rerun = activity.draws.filter(state=Draw.State.CURRENT).exists()
    form = DrawForm(request.POST, rerun=rerun)
    if not form.is_valid():
        return _page(request, activity, draw_form=form)
    try:
        draw = services.run_draw(
            activity,
            tickets=form.cleaned_data["tickets"],
            reason=form.cleaned_data.get("reason", ""),
            by=request.user,
            request=request,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _page(request, activity, draw_form=form)
    messages.success(request, _("The draw is recorded."))
    return redirect("activities:draw-detail", pk, draw.pk)


def _draw(activity: Activity, draw_pk: int) -> Draw:
    return get_object_or_404(
        Draw.objects.select_related("created_by", "supersedes"), pk=draw_pk, activity=activity
    )


@require_safe
@login_required
def draw_detail(request: HttpRequest, pk: int, draw_pk: int) -> HttpResponse:
    activity = _draw_activity(request, pk)
    draw = _draw(activity, draw_pk)
    context = {
        "activity": activity,
        "draw": draw,
        "winners": services.winners(draw, str(TICKET_LABEL)),
        "superseded_by": Draw.objects.filter(supersedes=draw).first(),
        "can_edit": can_edit_activity(request.user, activity),
    }
    return render(request, "activities/draw_detail.html", context)


@require_POST
@login_required
def draw_verify(request: HttpRequest, pk: int, draw_pk: int) -> HttpResponse:
    activity = _draw_activity(request, pk)
    draw = _draw(activity, draw_pk)
    check = services.verify(draw, by=request.user, request=request)
    if check.ok:
        messages.success(
            request,
            _("Checked: recomputed from the recorded seed, the result and its digest match."),
        )
    else:
        messages.error(
            request,
            _("MISMATCH: the recorded result or its digest does not match its seed and inputs."),
        )
    return redirect("activities:draw-detail", pk, draw.pk)


@require_safe
@login_required
def draw_screen(request: HttpRequest, pk: int, draw_pk: int) -> HttpResponse:
    activity = _draw_activity(request, pk)
    draw = _draw(activity, draw_pk)
    winners = services.winners(draw, str(TICKET_LABEL))
    try:
        shown = int(request.GET.get("n", "0"))
    except (TypeError, ValueError, OverflowError):
        shown = 0
    shown = max(0, min(shown, len(winners)))
    context = {
        "activity": activity,
        "draw": draw,
        "shown": shown,
        "latest": winners[shown - 1] if shown else None,
        "earlier": list(reversed(winners[: max(0, shown - 1)])),
        "total": len(winners),
        "next_n": shown + 1 if shown < len(winners) else None,
        "previous_n": shown - 1 if shown > 0 else None,
    }
    return render(request, "activities/draw_screen.html", context)
