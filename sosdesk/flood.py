"""Flood limits of the public report form: counted in the database (works with Redis down),
and never at the cost of a report.

Every report that passes the form's checks is saved and gets its tracking code and PIN,
whatever the counts say: a limit never refuses, delays or hides a report, and the answer
looks the same to the sender (a flooder learns nothing from it). A human check (CAPTCHA) was
not chosen: a pupil who fails or abandons it would lose the report, and the usual services
are third-party sites that would see who reports.

What the limits change:

- **Marked for checking**: past `ADDRESS_LIMIT` reports in an hour from one address (bucket),
  `SCHOOL_LIMIT` to one school, or `GLOBAL_LIMIT` city-wide, a report is saved with
  `Case.burst = True`; the desk sees "arrived in a burst" on the case list and page and
  checks whether it is genuine. The address limit is generous on purpose: a class filing from
  the school's one Wi-Fi address after a socialisation session is normal.
- **E-mails**: each report alerts the desk as usual until a school has received
  `SCHOOL_ALERT_LIMIT` public reports in the hour. Past that, reports are saved without their
  own e-mail and the desk and Koordinators get one flood notice per school per hour, so a
  flood cannot bury the officers' mailboxes (the reports are all on the case list).

Reporter messages on the tracking page follow the same rules, counted per case from the
messages themselves (sosdesk/flood.py `assess_message`): every message is saved and shown;
the first `MESSAGE_ALERT_LIMIT` of an hour e-mail the desk each, the next one sends a single
"many messages" notice and the rest of the hour sends nothing; past `MESSAGE_BURST_LIMIT` in
an hour a message is marked "arrived in a burst" on the case page.

Privacy: the address of an anonymous reporter must not be tied to the report. The counter
keeps only a 16-bit keyed hash of the address (65,536 buckets, so a row cannot name anyone),
the time and no link to the case; rows older than a day are deleted.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peksos.core import audit
from schools.models import School

from . import services
from .models import Case, CaseMessage, PublicSubmission

WINDOW = timedelta(hours=1)
ADDRESS_LIMIT = 10  # reports from one address bucket per hour before they are marked
SCHOOL_LIMIT = 30  # reports to one school per hour before they are marked
GLOBAL_LIMIT = 200  # public reports city-wide per hour before they are marked
SCHOOL_ALERT_LIMIT = 60  # public reports to one school per hour with an e-mail each
KEEP = timedelta(days=1)
MESSAGE_ALERT_LIMIT = 3  # reporter messages on one case per hour with an e-mail each
MESSAGE_BURST_LIMIT = 10  # reporter messages on one case per hour before they are marked


@dataclass(frozen=True)
class Assessment:
    burst: bool  # mark the report for checking
    alert: bool  # send its own e-mails
    address_key: str


def address_key(request) -> str:
    address = audit.client_ip(request) or "-"
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"peksos-flood:" + address.encode(), hashlib.sha256
    ).hexdigest()
    return f"a:{digest[:4]}"


def assess(request, school: School, now=None) -> Assessment:
    """How to treat the next public report (three counts on indexed columns)."""
    now = now or timezone.now()
    since = now - WINDOW
    key = address_key(request)
    public = Case.objects.filter(channel=Case.Channel.PUBLIC_FORM, received_at__gte=since)
    to_school = public.filter(school=school).count()
    burst = (
        to_school >= SCHOOL_LIMIT
        or PublicSubmission.objects.filter(key=key, at__gte=since).count() >= ADDRESS_LIMIT
        or public.count() >= GLOBAL_LIMIT
    )
    return Assessment(burst=burst, alert=to_school < SCHOOL_ALERT_LIMIT, address_key=key)


def after_report(school: School, assessment: Assessment, now=None) -> None:
    """Count a new report; the first report of a school's flood sends the one notice."""
    now = now or timezone.now()
    with transaction.atomic():
        PublicSubmission.objects.create(key=assessment.address_key, at=now)
        if not assessment.alert:
            notice = f"n:{school.pk}"
            if not PublicSubmission.objects.filter(key=notice, at__gte=now - WINDOW).exists():
                PublicSubmission.objects.create(key=notice, at=now)
                services.alert_flood(school)
    PublicSubmission.objects.filter(at__lt=now - KEEP).delete()


@dataclass(frozen=True)
class MessageAssessment:
    burst: bool  # mark the message for checking
    alert: str  # services.MessageAlert: its own e-mail, the one notice, or nothing


def assess_message(case: Case, now=None) -> MessageAssessment:
    """How to treat the reporter's next message on `case` (one count on the case's messages)."""
    now = now or timezone.now()
    sent = CaseMessage.objects.filter(case=case, from_reporter=True, at__gte=now - WINDOW).count()
    if sent < MESSAGE_ALERT_LIMIT:
        alert = services.MessageAlert.EACH
    elif sent == MESSAGE_ALERT_LIMIT:
        alert = services.MessageAlert.FOLD
    else:
        alert = services.MessageAlert.NONE
    return MessageAssessment(burst=sent >= MESSAGE_BURST_LIMIT, alert=alert)


def reporter_message(*, case: Case, body: str, idempotency_key: str | None, request=None, **photos):
    """Save a reporter's message, never refused, with its e-mails folded during a flood.
    `photos`: `photos` and `photo_names` of services.case_message_from_reporter."""
    with transaction.atomic():
        assessment = assess_message(case)
        return services.case_message_from_reporter(
            case=case,
            body=body,
            idempotency_key=idempotency_key,
            request=request,
            burst=assessment.burst,
            alert=assessment.alert,
            **photos,
        )
