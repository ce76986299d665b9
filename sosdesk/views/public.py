"""The public side of the SOS Desk: anyone files a report through the school's page, with no
account, and follows it with its tracking code and PIN (docs/domain.md §4).

- Nothing typed is lost: the report is committed before anything else happens (the service
  writes its notifications to the outbox), and a hidden idempotency key makes a double submit
  file one report.
- The tracking page answers a wrong code, a wrong PIN and too many attempts with the same
  words and status. Failures are counted in the database per code and per client address.
- No message ever goes to a reporter's phone or e-mail from here: the reporter comes back.
"""

import logging
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core import audit
from peksos.core.time import epoch_now
from schools.models import School

from .. import flood, services
from ..models import Case, CaseAttachment, Desk, TrackingFailure
from ..protection import reporter_files
from ..report_forms import PublicReportForm, ReporterMessageForm, TrackingForm

logger = logging.getLogger(__name__)

RECEIPT_KEY = "sosdesk_receipt"  # {"code", "pin", "desk", "at"}: shown after filing
TRACKING_KEY = "sosdesk_tracking"  # {"case", "seen"}: the case this browser may follow
RECEIPT_TTL = 30 * 60
TRACKING_IDLE = 30 * 60
CODE_LIMIT, CODE_WINDOW = 5, timedelta(minutes=30)
ADDRESS_LIMIT, ADDRESS_WINDOW = 20, timedelta(hours=1)
SEARCH_LIMIT = 20
# Words people type for a school that the register spells out.
SCHOOL_WORDS = {
    "sdn": "sd negeri",
    "smpn": "smp negeri",
    "sman": "sma negeri",
    "smkn": "smk negeri",
}

# What the reporter reads about each status: plain words, no internal detail.
STATUS_TEXT = {
    Case.Status.RECEIVED: gettext_lazy("Received. The desk will read your report soon."),
    Case.Status.VERIFYING: gettext_lazy("The desk is checking what happened."),
    Case.Status.HANDLING: gettext_lazy("The desk is handling it."),
    Case.Status.REFERRED: gettext_lazy("The desk asked a partner service to help."),
    Case.Status.CLOSED: gettext_lazy("The desk has finished handling this report."),
}
TRACKING_REFUSED = gettext_lazy(
    "The code or the PIN is wrong, or there were too many attempts. Wait a while and try again."
)


# --- Filing a report ----------------------------------------------------------------------


@require_safe
def report_start(request: HttpRequest) -> HttpResponse:
    """Find your school's form by name or NPSN; only schools whose desk takes reports."""
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:100]
    schools = None
    if query:
        schools = School.objects.filter(is_active=True, sos_desk__accepts_reports=True)
        if query.isdigit():
            schools = schools.filter(npsn=query)
        else:
            for word in query.lower().split()[:8]:
                schools = schools.filter(name__icontains=SCHOOL_WORDS.get(word, word))
        schools = list(
            schools.select_related("sos_desk", "kelurahan").order_by("name")[: SEARCH_LIMIT + 1]
        )
    context = {
        "query": query,
        "schools": schools[:SEARCH_LIMIT] if schools else schools,
        "more": bool(schools) and len(schools) > SEARCH_LIMIT,
    }
    return render(request, "sosdesk/public_start.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def report_form(request: HttpRequest, public_code: str) -> HttpResponse:
    if not public_code.isalnum():  # e.g. a NUL in the link, which PostgreSQL refuses
        raise Http404
    desk = get_object_or_404(
        Desk.objects.select_related("school"),
        public_code=public_code.upper(),
        accepts_reports=True,
        school__is_active=True,
    )
    form = PublicReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields = form.case_fields()
        # Flood limits mark a report or quiet its e-mails; they never refuse it (flood.py).
        assessment = flood.assess(request, desk.school)
        photos, names = _write_photos(request, form.cleaned_data["photos"])
        try:
            receipt = services.case_file(
                school=desk.school,
                channel=Case.Channel.PUBLIC_FORM,
                **fields,
                # The service leaves the address out of the audit row of an anonymous report.
                request=request,
                burst=assessment.burst,
                alert=assessment.alert,
                photos=photos,
                photo_names=names,
            )
        except BaseException:
            reporter_files.discard(names)
            raise
        if not receipt.created:  # a double submit: the first one's photos are kept
            reporter_files.discard(names)
        if receipt.created:
            try:
                flood.after_report(desk.school, assessment)
            except DatabaseError:  # the report is saved: its receipt matters more
                logger.exception("flood counter not written")
        _remember_receipt(request, receipt, desk)
        return redirect("lapor:receipt")
    response = render(request, "sosdesk/public_form.html", {"desk": desk, "form": form})
    # Each page carries its own idempotency key: no shared cache may hand it to someone else.
    # A page sent back with errors holds what was typed: no cache keeps it at all.
    if request.method == "POST":
        patch_cache_control(response, private=True, no_cache=True, no_store=True)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


def _write_photos(request: HttpRequest, photos: list) -> tuple[list, list[str]]:
    """Write the reporter's checked photos; when the server cannot, the report goes on
    without them and the reporter is told (a report is never lost to its photos)."""
    if not photos:
        return [], []
    names = reporter_files.write(photos)
    if names is None:
        messages.warning(
            request,
            _(
                "Your report is saved, but your photos could not be saved. You can send them "
                "again with a message on the tracking page."
            ),
        )
        return [], []
    return photos, names


def _remember_receipt(request: HttpRequest, receipt: services.Receipt, desk: Desk) -> None:
    """Keep the code and PIN for the receipt page. A repeated submit does not erase the PIN
    the first one showed (it is not stored anywhere else in plain text)."""
    kept = request.session.get(RECEIPT_KEY) or {}
    pin = receipt.pin
    if pin is None and kept.get("code") == receipt.case.code:
        pin = kept.get("pin")
    request.session[RECEIPT_KEY] = {
        "code": receipt.case.code,
        "pin": pin,
        "desk": desk.public_code,
        "at": epoch_now(),
    }


@require_safe
@never_cache
def report_receipt(request: HttpRequest) -> HttpResponse:
    kept = request.session.get(RECEIPT_KEY)
    if not kept or epoch_now() - kept.get("at", 0) > RECEIPT_TTL:
        request.session.pop(RECEIPT_KEY, None)
        return redirect("lapor:start")
    case = Case.objects.filter(code=kept["code"]).select_related("school").first()
    if case is None:
        request.session.pop(RECEIPT_KEY, None)
        return redirect("lapor:start")
    context = {"receipt": kept, "case": case, "school": case.school}
    return render(request, "sosdesk/public_receipt.html", context)


# --- Following a report ---------------------------------------------------------------------


def _refused(code: str, address: str | None, now) -> bool:
    """Too many recent failures for this code or from this address?"""
    recent = TrackingFailure.objects.filter
    return (
        recent(key=f"code:{code}", at__gte=now - CODE_WINDOW).count() >= CODE_LIMIT
        or recent(key=f"ip:{address}", at__gte=now - ADDRESS_WINDOW).count() >= ADDRESS_LIMIT
    )


def _find_case(request: HttpRequest, code: str, pin: str) -> Case | None:
    """The case if the code and PIN match and no limit is reached. Every path spends one
    password hash, so the time taken does not tell which of them failed."""
    now = timezone.now()
    address = audit.client_ip(request)
    if _refused(code, address, now):
        make_password(pin)
        audit.record("case_tracking_refused", request=request)
        return None
    case = Case.objects.filter(code=code).select_related("school").first()
    if case is not None and case.check_pin(pin):
        return case
    if case is None:
        make_password(pin)
    TrackingFailure.objects.bulk_create(
        [TrackingFailure(key=f"code:{code}", at=now), TrackingFailure(key=f"ip:{address}", at=now)]
    )
    TrackingFailure.objects.filter(at__lt=now - timedelta(days=1)).delete()
    audit.record("case_tracking_failed", request=request, obj=case)
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def track_login(request: HttpRequest) -> HttpResponse:
    form = TrackingForm(request.POST or None)
    refused = False
    if request.method == "POST" and form.is_valid():
        case = _find_case(request, form.cleaned_data["code"], form.cleaned_data["pin"])
        if case is not None:
            request.session.cycle_key()
            request.session.pop(RECEIPT_KEY, None)  # they have the PIN: forget its plain copy
            request.session[TRACKING_KEY] = {"case": str(case.pk), "seen": epoch_now()}
            # The reporter's address is not kept: it would tie an anonymous report to them.
            audit.record("case_tracked", request=request, obj=case, keep_address=False)
            return redirect("lapor:track-case")
        refused = True
        form = TrackingForm(initial={"code": form.cleaned_data["code"]})
    context = {"form": form, "refused": refused, "refused_text": TRACKING_REFUSED}
    return render(request, "sosdesk/public_track_login.html", context)


def _tracked_case(request: HttpRequest) -> Case | None:
    """The case this session follows, unless it was idle too long."""
    tracking = request.session.get(TRACKING_KEY)
    if not tracking:
        return None
    now = epoch_now()
    if now - tracking.get("seen", 0) > TRACKING_IDLE:
        request.session.pop(TRACKING_KEY, None)
        messages.info(request, _("You were away for a while. Enter your code and PIN again."))
        return None
    case = Case.objects.filter(pk=tracking.get("case")).select_related("school").first()
    if case is None:
        request.session.pop(TRACKING_KEY, None)
        return None
    request.session[TRACKING_KEY] = {**tracking, "seen": now}
    return case


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def track_case(request: HttpRequest) -> HttpResponse:
    case = _tracked_case(request)
    if case is None:
        return redirect("lapor:track")
    form = ReporterMessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photos, names = _write_photos(request, form.cleaned_data["photos"])
        try:
            flood.reporter_message(  # never refused; e-mails folded in a flood (flood.py)
                case=case,
                body=form.cleaned_data["body"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                request=request,
                photos=photos,
                photo_names=names,
            )
        except BaseException:
            reporter_files.discard(names)
            raise
        # A double submit saved the message once: its second copy of the photos goes.
        kept = set(case.attachments.filter(file__in=names).values_list("file", flat=True))
        reporter_files.discard([name for name in names if name not in kept])
        messages.success(request, _("Your message was sent to the desk."))
        return redirect("lapor:track-case")
    context = {
        "case": case,
        "status_text": STATUS_TEXT.get(case.status, ""),
        # The reporter sees the names of the photos they sent, never the files.
        "thread": case.messages.only("at", "from_reporter", "body").prefetch_related(
            Prefetch("attachments", CaseAttachment.objects.only("message_id", "display_name"))
        ),
        "report_photos": case.attachments.filter(from_reporter=True, message__isnull=True).only(
            "display_name"
        ),
        "form": form,
        "photo_warning": reporter_files.PHOTO_WARNING,
    }
    return render(request, "sosdesk/public_track_case.html", context)


@require_POST
def track_logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(TRACKING_KEY, None)
    request.session.pop(RECEIPT_KEY, None)
    request.session.cycle_key()
    messages.info(request, _("You left the tracking page. Your code and PIN still work."))
    return redirect("lapor:track")
