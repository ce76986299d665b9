"""Registration of parents and teachers with an invitation code: rates per address counted in
the audit log, a signed confirmation link by e-mail (never saying whether an address already
has an account), and the invitation codes themselves."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.accounts.models import Role, User
from peksos.core import audit, outbox
from peksos.core.models import AuditEvent
from schools.models import School, SchoolMembership

from .models import (
    InviteCode,
    Registration,
)
from .services import link

# Registration: wrong invitation codes and new accounts per address, counted in the audit log.
BAD_CODES_PER_HOUR = 10
REGISTRATIONS_PER_HOUR = 30
CONFIRMATION_MAX_AGE = timedelta(days=7)
CONFIRMATION_RESEND_AFTER = timedelta(minutes=5)
CONFIRMATION_SALT = "forum.registration.confirm"


# --- Registration with an invitation code ----------------------------------------------------


def too_many_bad_codes(ip: str | None) -> bool:
    if not ip:
        return False
    since = timezone.now() - timedelta(hours=1)
    attempts = AuditEvent.objects.filter(action="forum_invite_code_rejected", ip=ip, at__gte=since)
    return attempts.count() >= BAD_CODES_PER_HOUR


def too_many_registrations(ip: str | None) -> bool:
    if not ip:
        return False
    since = timezone.now() - timedelta(hours=1)
    made = AuditEvent.objects.filter(action="forum_registered", ip=ip, at__gte=since)
    return made.count() >= REGISTRATIONS_PER_HOUR


def record_bad_invite_code(request: HttpRequest) -> None:
    audit.record("forum_invite_code_rejected", request=request)


def confirmation_token(registration: Registration) -> str:
    return signing.dumps(registration.pk, salt=CONFIRMATION_SALT)


def registration_for_token(token: str) -> Registration | None:
    """The unconfirmed registration a link is for, or None (bad, expired or used link)."""
    try:
        pk = signing.loads(
            token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE.total_seconds()
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pk, int):
        return None
    return Registration.objects.select_related("user").filter(pk=pk).first()


def _send_confirmation(registration: Registration, request: HttpRequest | None) -> None:
    url = link(
        request, reverse("forum:registration-confirm", args=[confirmation_token(registration)])
    )
    with override("id"):
        outbox.enqueue_email(
            to=[registration.user.email],
            subject=_("Confirm your e-mail address for the PEKSOS forum"),
            # A neutral text: the typed address may be anyone's, so nothing the registrant
            # typed (such as the display name) is sent to it.
            body=_(
                "Hello,\n\nSomeone asked to join the PEKSOS consultation forum with this e-mail "
                "address. To finish joining, open this link within 7 days and press the "
                "button:\n%(url)s\n\nIf it was not you, ignore this e-mail: the account stays "
                "closed."
            )
            % {"url": url},
        )


def registration_create(
    *,
    invite_code: InviteCode,
    username: str,
    email: str,
    display_name: str,
    password: str,
    role: str,
    request: HttpRequest | None = None,
) -> Registration | None:
    """Make an inactive account for the invitation code's school and send the confirmation
    link. If the e-mail address already has an account, nothing is made and that address is
    told instead: the page the visitor sees is the same (no account enumeration)."""
    if role not in {Role.GURU, Role.ORANG_TUA}:
        raise ValidationError(_("Choose parent or teacher."))
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            make_password(password)  # the same hashing time as a real registration
            _tell_existing_account(email, request)
            audit.record("forum_registration_existing_email", request=request)
            return None
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username,
                    email=email,
                    password=password,
                    first_name=display_name,
                    role=role,
                    is_active=False,
                )
        except IntegrityError:  # the same address registered a moment ago
            _tell_existing_account(email, request)
            return None
        SchoolMembership.objects.create(user=user, school=invite_code.school)
        registration = Registration.objects.create(
            user=user, school=invite_code.school, invite_code=invite_code
        )
        _send_confirmation(registration, request)
        audit.record("forum_registered", request=request, actor=user, obj=registration)
    return registration


def _tell_existing_account(email: str, request: HttpRequest | None) -> None:
    with override("id"):
        outbox.enqueue_email(
            to=[email],
            subject=_("Someone tried to register with your e-mail address"),
            body=_(
                "Someone tried to join the PEKSOS forum with this e-mail address, which "
                "already has an account. If it was you, log in, or set a new password here:\n"
                "%(url)s\n\nIf it was not you, you do not need to do anything."
            )
            % {"url": link(request, reverse("accounts:password_reset"))},
        )


def registration_confirm(*, registration: Registration, request: HttpRequest | None = None) -> bool:
    """Open the account; False if this registration was confirmed before (a used link never
    reopens an account that was deactivated later)."""
    with transaction.atomic():
        claimed = Registration.objects.filter(pk=registration.pk, confirmed_at=None).update(
            confirmed_at=timezone.now()
        )
        if not claimed:
            return False
        User.objects.filter(pk=registration.user_id).update(is_active=True)
        audit.record(
            "forum_registration_confirmed",
            request=request,
            actor=registration.user,
            obj=registration,
        )
    return True


def registration_resend(*, email: str, request: HttpRequest | None = None) -> None:
    """Send the link again to an unconfirmed registration (at most every few minutes). The
    visitor is told the same whatever the address (no account enumeration)."""
    now = timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .select_related("user")
            .filter(user__email__iexact=email, confirmed_at=None)
            .first()
        )
        if registration is None or registration.last_sent_at > now - CONFIRMATION_RESEND_AFTER:
            return
        registration.last_sent_at = now
        registration.save(update_fields=["last_sent_at"])
        _send_confirmation(registration, request)
        audit.record("forum_confirmation_resent", request=request, obj=registration)


# --- Invitation codes -----------------------------------------------------------------------


def invite_code_create(
    *, school: School, label: str = "", by: User, request: HttpRequest | None = None
) -> InviteCode:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                code = InviteCode.objects.create(
                    school=school, code=InviteCode.generate(), label=label, created_by=by
                )
                audit.record("forum_invite_code_created", request=request, actor=by, obj=code)
                return code
        except IntegrityError:  # a clash of random codes: draw again
            continue
    raise RuntimeError("could not draw a unique invitation code")


def invite_code_deactivate(
    *, code: InviteCode, by: User, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        InviteCode.objects.filter(pk=code.pk, is_active=True).update(
            is_active=False, deactivated_at=timezone.now()
        )
        audit.record("forum_invite_code_deactivated", request=request, actor=by, obj=code)
