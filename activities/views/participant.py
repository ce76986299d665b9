"""The participant's pages (no account), reached by an activity's link or QR code: the
pre-test, the post-test and the feedback form (/ikut/<code>/...), and the staff page that
shows those links and their QR codes.

- A form accepts answers only while the activity's participant forms are open.
- One answer per device and form: the browser gets a random cookie (path /ikut/); what is
  stored is a keyed hash of it and the activity (`knowledge_services.device_hash`), which
  also pairs a device's pre-test with its post-test. Nothing else about the participant is
  stored: no account, no address, no name. A second submit shows "already answered" and
  changes nothing. Someone who clears their cookies can answer again: the forms are for
  willing participants in a room with staff, not a ballot.
- After a submit, Post/Redirect/Get to the same address, which then shows the thanks.
"""

import io
import re
import secrets

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe

from ..models import Activity, ActivityTest, Feedback, KnowledgeAttempt
from ..participant_forms import FeedbackForm, PublicTestForm
from ..permissions import can_edit_activity, can_see_attendee_names, get_activity_for_user
from ..services import feedback as feedback_services
from ..services import knowledge as knowledge_services

DEVICE_COOKIE = "peksos_peserta"
DEVICE_COOKIE_AGE = 400 * 24 * 3600
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")
CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,16}")
PUBLIC_FORMS = {
    "tes-awal": "participant:pre-test",
    "tes-akhir": "participant:post-test",
    "umpan-balik": "participant:feedback",
}


def _public_activity(code: str) -> Activity:
    if not CODE_RE.fullmatch(code):
        raise Http404
    try:
        return Activity.objects.select_related("school").get(public_code=code)
    except Activity.DoesNotExist:
        raise Http404 from None


def _device_token(request: HttpRequest) -> tuple[str, bool]:
    """The browser's random token, and whether it is new (then the response sets it)."""
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    if TOKEN_RE.fullmatch(token):
        return token, False
    return secrets.token_urlsafe(32), True


def _finish(request, response: HttpResponse, token: str, new: bool) -> HttpResponse:
    if new:
        response.set_cookie(
            DEVICE_COOKIE,
            token,
            max_age=DEVICE_COOKIE_AGE,
            path="/ikut/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    patch_cache_control(response, private=True, no_cache=True, no_store=True)
    return response


def _is_open(activity: Activity) -> bool:
    return activity.participant_forms_open and activity.state != Activity.State.CANCELLED


def _test(request: HttpRequest, code: str, phase: str) -> HttpResponse:
    activity = _public_activity(code)
    if activity.kind not in knowledge_services.TEST_KINDS:
        raise Http404
    token, new = _device_token(request)
    device = knowledge_services.device_hash(activity, token)
    test = ActivityTest.objects.filter(activity=activity).select_related("question_set").first()
    context = {"activity": activity, "phase": phase, "phases": KnowledgeAttempt.Phase}
    done = KnowledgeAttempt.objects.filter(
        activity=activity, phase=phase, device_hash=device
    ).first()
    if done is not None:
        context["done"] = done
        return _finish(
            request, render(request, "activities/participant_done.html", context), token, new
        )
    if test is None or not _is_open(activity):
        context["closed"] = True
        return _finish(
            request, render(request, "activities/participant_closed.html", context), token, new
        )
    questions = list(test.question_set.questions.all())
    form = PublicTestForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        knowledge_services.submit_phone_attempt(
            activity,
            phase=phase,
            group=form.cleaned_data["group"],
            answers=form.answers(),
            device=device,
            request=request,
        )
        return _finish(request, redirect(request.path), token, new)
    context["form"] = form
    return _finish(
        request, render(request, "activities/participant_test.html", context), token, new
    )


@require_http_methods(["GET", "HEAD", "POST"])
def pre_test(request: HttpRequest, code: str) -> HttpResponse:
    return _test(request, code, KnowledgeAttempt.Phase.PRE)


@require_http_methods(["GET", "HEAD", "POST"])
def post_test(request: HttpRequest, code: str) -> HttpResponse:
    return _test(request, code, KnowledgeAttempt.Phase.POST)


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_form(request: HttpRequest, code: str) -> HttpResponse:
    activity = _public_activity(code)
    token, new = _device_token(request)
    device = knowledge_services.device_hash(activity, token)
    context = {"activity": activity, "feedback": True}
    if Feedback.objects.filter(activity=activity, device_hash=device).exists():
        context["done"] = True
        return _finish(
            request, render(request, "activities/participant_done.html", context), token, new
        )
    if not _is_open(activity):
        return _finish(
            request, render(request, "activities/participant_closed.html", context), token, new
        )
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        feedback_services.submit_feedback(activity, device=device, **form.cleaned_data)
        return _finish(request, redirect(request.path), token, new)
    context["form"] = form
    return _finish(
        request, render(request, "activities/participant_feedback.html", context), token, new
    )


# --- Staff: the links and QR codes ---------------------------------------------------------------


def public_links(request: HttpRequest, activity: Activity) -> list[dict]:
    """The participant forms this activity has, with their absolute addresses."""
    names = ["umpan-balik"]
    if activity.kind in knowledge_services.TEST_KINDS:
        names = ["tes-awal", "tes-akhir", "umpan-balik"]
    return [
        {
            "form": name,
            "url": request.build_absolute_uri(
                reverse(PUBLIC_FORMS[name], kwargs={"code": activity.public_code})
            ),
        }
        for name in names
    ]


@require_safe
@login_required
def participant_tools(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)
    context = {
        "activity": activity,
        "links": public_links(request, activity),
        "can_edit": can_edit_activity(request.user, activity),
        "can_draw": can_see_attendee_names(request.user),
    }
    return render(request, "activities/participant_tools.html", context)


@require_safe
@login_required
def participant_qr(request: HttpRequest, pk: int, form: str) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)
    links = {link["form"]: link["url"] for link in public_links(request, activity)}
    if form not in links:
        raise Http404
    buffer = io.BytesIO()
    segno.make(links[form], error="m").save(buffer, kind="svg", scale=6, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="qr-{form}.svg"'
    patch_cache_control(response, private=True, max_age=300)
    return response
