"""Creating, inviting, changing and deactivating people. Each function is one transaction with
its audit row (never a token, a password or a reason in it) and its e-mail through the outbox.

Rules that hold whoever asks (docs/design.md §3.3):
- A person is never deleted: deactivating ends their memberships (kept as `PastMembership`)
  and withdraws their invitations; their session is refused on its next request (the auth
  backend refuses inactive accounts and `SessionLimitsMiddleware` flushes the session).
- A Koordinator cannot take away their own Koordinator role or deactivate themselves, and the
  last active Koordinator cannot lose the role or be deactivated.
"""

import re
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from peksos.accounts.models import Role, User
from peksos.core import audit, outbox
from peksos.core.refusals import Refusal
from schools.models import School, SchoolMembership

from .models import Invitation, PastMembership, SecondFactorReset, hash_token, new_token

DEFAULT_INVITATION_DAYS = 7


def invitation_days() -> int:
    return getattr(settings, "INVITATION_DAYS", DEFAULT_INVITATION_DAYS)


def lockout_key(user: User) -> str:
    """The key django-axes counts this account's failures under (peksos.accounts.backends)."""
    return f"account:{user.pk}"


def invitation_url(token: str, request: HttpRequest | None = None) -> str:
    path = reverse("invitation-accept", kwargs={"token": token})
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def whatsapp_text(user: User, url: str) -> str:
    return _(
        "Hello %(name)s, you are invited to PEKSOS Kota Metro as %(role)s. Open this link to "
        "set your password (valid for %(days)d days, once): %(url)s Your user name: %(username)s"
    ) % {
        "name": user.get_full_name() or user.username,
        "role": user.get_role_display(),
        "days": invitation_days(),
        "url": url,
        "username": user.username,
    }


def new_username(name: str, email: str = "", phone: str = "") -> str:
    """A readable, unique user name: the e-mail's local part, else the name, else the phone."""
    base = email.split("@")[0] if email else name
    base = re.sub(r"[^a-z0-9._-]+", "", slugify(base).replace("-", ".")) or phone or "pengguna"
    base = base[:30]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = name.strip().partition(" ")
    return first[:150], last[:150]


def _guard_koordinators(user: User, by: User, *, losing_role: bool) -> None:
    if not losing_role or user.role != Role.KOORDINATOR:
        return
    if user.pk == by.pk:
        raise Refusal(_("You cannot take away your own Koordinator role or deactivate yourself."))
    others = User.objects.filter(role=Role.KOORDINATOR, is_active=True).exclude(pk=user.pk)
    if not others.exists():
        raise Refusal(_("This is the last active Koordinator: appoint another one first."))


# --- invitations ---------------------------------------------------------------------------


def _invite(user: User, *, by: User | None, request: HttpRequest | None) -> tuple[Invitation, str]:
    """Withdraw the person's waiting invitations and make a new one; the token is returned
    once and only its hash is kept. E-mailed when the person has an address."""
    now = timezone.now()
    user.invitations.filter(used_at=None, withdrawn_at=None).update(withdrawn_at=now)
    token = new_token()
    invitation = Invitation.objects.create(
        user=user,
        token_hash=hash_token(token),
        expires_at=now + timedelta(days=invitation_days()),
        created_by=by,
        emailed=bool(user.email),
    )
    if user.email:
        url = invitation_url(token, request)
        outbox.enqueue_email(
            to=[user.email],
            subject=_("Your PEKSOS Kota Metro account"),
            body=_(
                "Hello %(name)s,\n\nThe Dinas Sosial of Kota Metro has made you a PEKSOS account "
                "as %(role)s. Open this link to choose your password (it works once, for "
                "%(days)d days):\n\n%(url)s\n\nYour user name: %(username)s\n\nIf you did not "
                "expect this e-mail, ignore it."
            )
            % {
                "name": user.get_full_name() or user.username,
                "role": user.get_role_display(),
                "days": invitation_days(),
                "url": url,
                "username": user.username,
            },
        )
    audit.record("invitation_sent", actor=by, obj=invitation, request=request)
    return invitation, token


def invitation_send(*, user: User, by: User, request: HttpRequest | None = None) -> str:
    """A new invitation (an earlier one stops working); returns its token, to show once."""
    if not user.is_active:
        raise Refusal(_("This account is deactivated: reactivate it first."))
    with transaction.atomic():
        _invitation, token = _invite(user, by=by, request=request)
    return token


def invitation_withdraw(*, user: User, by: User, request: HttpRequest | None = None) -> int:
    with transaction.atomic():
        withdrawn = user.invitations.filter(used_at=None, withdrawn_at=None).update(
            withdrawn_at=timezone.now()
        )
        audit.record("invitation_withdrawn", actor=by, obj=user, request=request)
    return withdrawn


def invitation_for_token(token: str) -> Invitation | None:
    """The waiting invitation of an active account with this token, or None (whatever the
    reason: unknown, used, withdrawn, expired)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.pending()
        .filter(token_hash=hash_token(token), user__is_active=True)
        .select_related("user")
        .first()
    )


def invitation_accept(
    *, invitation: Invitation, password: str, request: HttpRequest | None = None
) -> User:
    """Set the person's own password; the invitation is used up (claimed by a conditional
    UPDATE, so two tabs cannot both use it)."""
    with transaction.atomic():
        claimed = (
            Invitation.objects.pending().filter(pk=invitation.pk).update(used_at=timezone.now())
        )
        if not claimed:
            raise Refusal(_("This invitation link no longer works."))
        user = invitation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record("invitation_accepted", actor=user, obj=invitation, request=request)
    return user


# --- people ----------------------------------------------------------------------------------


def person_create(
    *,
    name: str,
    role: str,
    email: str = "",
    phone: str = "",
    schools: list[School] = (),
    by: User,
    request: HttpRequest | None = None,
) -> tuple[User, str]:
    """A new account without a usable password, its schools, and its invitation; returns the
    person and the invitation's token (to show once, for WhatsApp)."""
    with transaction.atomic():
        user = _create_user(name=name, role=role, email=email, phone=phone)
        for school in schools:
            SchoolMembership.objects.get_or_create(user=user, school=school)
        audit.record("person_created", actor=by, obj=user, request=request)
        _invitation, token = _invite(user, by=by, request=request)
    return user, token


def _create_user(*, name: str, role: str, email: str, phone: str) -> User:
    first, last = _split_name(name)
    return User.objects.create(
        username=new_username(name, email, phone),
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        role=role,
        password=make_password(None),  # unusable until the invitation is accepted
    )


def person_update(
    *,
    user: User,
    name: str,
    email: str,
    phone: str,
    role: str,
    by: User,
    request: HttpRequest | None = None,
) -> User:
    _guard_koordinators(user, by, losing_role=role != user.role)
    with transaction.atomic():
        old_role = user.role
        user.first_name, user.last_name = _split_name(name)
        user.email, user.phone, user.role = email, phone, role
        user.save(update_fields=["first_name", "last_name", "email", "phone", "role"])
        audit.record("person_updated", actor=by, obj=user, request=request)
        if old_role != role:
            audit.record("person_role_changed", actor=by, obj=user, request=request)
    return user


def memberships_add(
    *, user: User, schools: list[School], by: User, request: HttpRequest | None = None
) -> int:
    """Add the schools the person does not serve yet; returns how many were added."""
    with transaction.atomic():
        known = set(user.school_memberships.values_list("school_id", flat=True))
        new = [SchoolMembership(user=user, school=s) for s in schools if s.pk not in known]
        SchoolMembership.objects.bulk_create(new)
        if new:
            audit.record("memberships_added", actor=by, obj=user, request=request)
    return len(new)


def _end(memberships, *, by: User | None, on: date) -> int:
    ended = [
        PastMembership(
            user_id=m.user_id,
            school_id=m.school_id,
            started_on=min(m.since, on),
            ended_on=on,
            ended_by=by,
        )
        for m in memberships
    ]
    PastMembership.objects.bulk_create(ended)
    SchoolMembership.objects.filter(pk__in=[m.pk for m in memberships]).delete()
    return len(ended)


def membership_end(
    *, membership: SchoolMembership, by: User, request: HttpRequest | None = None
) -> None:
    """The person stops serving the school today; the period is kept."""
    with transaction.atomic():
        _end([membership], by=by, on=timezone.localdate())
        audit.record("membership_ended", actor=by, obj=membership.user, request=request)


def person_deactivate(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    _guard_koordinators(user, by, losing_role=True)
    if user.pk == by.pk:
        raise Refusal(_("You cannot take away your own Koordinator role or deactivate yourself."))
    with transaction.atomic():
        user.deactivate()
        _end(list(user.school_memberships.all()), by=by, on=timezone.localdate())
        user.invitations.filter(used_at=None, withdrawn_at=None).update(withdrawn_at=timezone.now())
        audit.record("person_deactivated", actor=by, obj=user, request=request)


def person_reactivate(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """The account works again with its old password (or a new invitation); schools are
    given back by hand, as they may have changed meanwhile."""
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record("person_reactivated", actor=by, obj=user, request=request)


def person_unlock(*, user: User, by: User, request: HttpRequest | None = None) -> int:
    from axes.utils import reset

    with transaction.atomic():
        removed = reset(username=lockout_key(user))
        audit.record("person_unlocked", actor=by, obj=user, request=request)
    return removed


def second_factor_reset(
    *, user: User, reason: str, by: User, request: HttpRequest | None = None
) -> SecondFactorReset:
    """Remove the person's authenticator and recovery codes; they enrol again at next login."""
    if user.pk == by.pk:
        raise Refusal(_("Another Koordinator must reset your own second factor."))
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        reset = SecondFactorReset.objects.create(user=user, by=by, reason=reason)
        audit.record("second_factor_reset", actor=by, obj=reset, request=request)
    return reset
