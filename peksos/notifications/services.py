"""Notify users: `notify(recipients, kind, message, link)` from any app's service, inside its
transaction. Each recipient gets a row in the app; by their choice for the kind, an e-mail
through the outbox at once, or one e-mail a day with everything of the day
(`send_daily_summaries`, Celery beat). Texts say what happened and link to it: never a
child's name, a report's text or a post's content (the callers' duty; tests check it).
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.accounts.models import User
from peksos.core import audit, outbox

from .models import DEFAULT_DELIVERY, Delivery, Kind, Notification, Preference


def absolute(link: str) -> str:
    """The link as e-mails carry it (the site's address, when set, before the path)."""
    if not link.startswith("/"):
        return link
    return getattr(settings, "PEKSOS_BASE_URL", "").rstrip("/") + link


def deliveries(users: list[User], kind: str) -> dict[int, str]:
    """Each user's choice for `kind` (one query)."""
    chosen = dict(
        Preference.objects.filter(user__in=users, kind=kind).values_list("user_id", "delivery")
    )
    return {user.pk: chosen.get(user.pk, DEFAULT_DELIVERY) for user in users}


def notify(
    recipients: Iterable[User],
    kind: str,
    message: str,
    link: str = "",
    *,
    email_subject: str = "",
    email_body: str = "",
) -> list[Notification]:
    """Store one notification per active recipient and send the e-mails their choices ask for.

    `message` is the line in the app (and the subject of the e-mail unless `email_subject`);
    `email_body` replaces the default body (the message and the link)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    unique = {user.pk: user for user in recipients if user.is_active}
    users = sorted(unique.values(), key=lambda user: (user.email, user.pk))  # stable order
    if not users:
        return []
    chosen = deliveries(users, kind)
    now = timezone.now()
    rows = []
    for user in users:
        delivery = chosen[user.pk]
        emailed = delivery == Delivery.EMAIL and bool(user.email)
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                message=str(message)[:300],
                link=link,
                created_at=now,
                daily_pending=delivery == Delivery.DAILY and bool(user.email),
                emailed_at=now if emailed else None,
            )
        )
        if emailed:
            outbox.enqueue_email(
                to=[user.email],
                subject=str(email_subject or message),
                body=str(email_body or f"{message}\n\n{absolute(link)}".strip()),
            )
    return Notification.objects.bulk_create(rows)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user).unread().count()


def mark_read(*, notification: Notification) -> Notification:
    """Opening or ticking one notification; reading it also takes it out of the daily e-mail."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at, daily_pending=False
        )
    return notification


def mark_all_read(*, user: User) -> int:
    return (
        Notification.objects.filter(recipient=user)
        .unread()
        .update(read_at=timezone.now(), daily_pending=False)
    )


def preferences_save(*, user: User, choices: dict[str, str], request=None) -> None:
    """Store the user's choice per kind (a kind left at the default keeps no row)."""
    with transaction.atomic():
        for kind, delivery in choices.items():
            if kind not in Kind.values or delivery not in Delivery.values:
                raise ValueError(f"bad preference {kind!r}: {delivery!r}")
            if delivery == DEFAULT_DELIVERY:
                Preference.objects.filter(user=user, kind=kind).delete()
            else:
                Preference.objects.update_or_create(
                    user=user, kind=kind, defaults={"delivery": delivery}
                )
        audit.record("notification_preferences_saved", request=request, actor=user, obj=user)


def send_daily_summaries(*, now=None) -> int:
    """One e-mail per user with their notifications waiting for the daily e-mail (unread ones;
    what they read in the app meanwhile is left out). The rows are taken with a conditional
    UPDATE, so a task run twice (or two workers) sends each summary once. Returns the count."""
    now = now or timezone.now()
    user_ids = list(
        Notification.objects.for_daily_summary()
        .filter(created_at__lte=now)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        with transaction.atomic():
            waiting = Notification.objects.for_daily_summary().filter(
                recipient=user, created_at__lte=now
            )
            rows = list(waiting.select_for_update().order_by("created_at", "id"))
            taken = Notification.objects.filter(
                pk__in=[row.pk for row in rows], daily_pending=True
            ).update(daily_pending=False, emailed_at=now)
            if not taken or not user.is_active or not user.email:
                continue
            with override("id"):
                lines = [f"- {row.message}\n  {absolute(row.link)}" for row in rows]
                outbox.enqueue_email(
                    to=[user.email],
                    subject=_("PEKSOS: %(count)d notifications of the day") % {"count": len(rows)},
                    body=_(
                        "What happened in PEKSOS since the last daily e-mail:\n\n%(lines)s\n\n"
                        "Choose how you receive notifications: %(settings)s"
                    )
                    % {"lines": "\n".join(lines), "settings": absolute("/notifikasi/pengaturan/")},
                )
            sent += 1
    return sent
