"""Observations asked of a child's teachers and linked parents, and the guardians linked to a
record: each step one transaction, an audit row, e-mails through the outbox (no child's name,
code or school in them). The record's own steps are `monitoring.services`."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.accounts.models import Role, User
from peksos.core import audit, outbox

from . import notices
from .models import (
    OBSERVATION_DAYS,
    OBSERVATION_REMIND_AFTER_DAYS,
    ChildRecord,
    GuardianLink,
    ObservationRequest,
    WellbeingRating,
)
from .permissions import observers_of
from .services import lock_record, require_open

# --- Observations asked of teachers and parents --------------------------------------------

OBSERVER_RATERS = {
    Role.GURU: WellbeingRating.Rater.TEACHER,
    Role.ORANG_TUA: WellbeingRating.Rater.PARENT,
}


def _link(request, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return getattr(settings, "PEKSOS_BASE_URL", "").rstrip("/") + path


def _tell_addressee(observation: ObservationRequest, subject: str, request=None) -> None:
    """An e-mail with a link and no detail: no name, no code, no school (a shared phone)."""
    addressee = observation.addressee
    if not addressee.email or not addressee.is_active:
        return
    url = _link(request, reverse("monitoring:observation-fill", args=[observation.pk]))
    with override("id"):
        outbox.enqueue_email(
            to=[addressee.email],
            subject=str(subject),
            body=_(
                "The PEKSOS team asks you for a short observation (a few taps, about two "
                "minutes). Open it before %(date)s:\n%(url)s"
            )
            % {"date": timezone.localtime(observation.expires_at).strftime("%d-%m-%Y"), "url": url},
        )


def observation_request(
    *,
    record: ChildRecord,
    addressee: User,
    child_label: str,
    days: int = OBSERVATION_DAYS,
    idempotency_key: str | None = None,
    by: User,
    request=None,
) -> ObservationRequest:
    """Ask a teacher of the record's school or a parent linked to the record
    (`permissions.observers_of`) for an observation; they get an
    e-mail with the link (through the outbox) and see it under "Observations"."""
    if idempotency_key:
        existing = ObservationRequest.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if (
        addressee.role not in OBSERVER_RATERS
        or not observers_of(record).filter(pk=addressee.pk).exists()
    ):
        raise ValidationError(
            _("Choose a teacher of the child's school or a parent linked to this record.")
        )
    label = " ".join(child_label.split())
    if not label:
        raise ValidationError(_("Write how the teacher or parent knows the child."))
    now = timezone.now()
    with transaction.atomic():
        require_open(lock_record(record))
        observation = ObservationRequest.objects.create(
            record=record,
            addressee=addressee,
            rater=OBSERVER_RATERS[addressee.role],
            child_label=label,
            requested_at=now,
            requested_by=by,
            expires_at=now + timedelta(days=days),
            idempotency_key=idempotency_key or None,
        )
        audit.record("child_observation_requested", request=request, actor=by, obj=record)
        with override("id"):
            subject = _("A short observation is asked of you")
        _tell_addressee(observation, subject, request)
    return observation


def observation_cancel(*, observation: ObservationRequest, by: User, request=None) -> None:
    with transaction.atomic():
        record = lock_record(observation.record)
        row = ObservationRequest.objects.select_for_update().get(pk=observation.pk)
        if row.status != ObservationRequest.Status.PENDING:
            raise ValidationError(_("This observation is no longer waiting for an answer."))
        row.status = ObservationRequest.Status.CANCELLED
        row.save(update_fields=["status"])
        audit.record("child_observation_cancelled", request=request, actor=by, obj=record)


def observation_answer(
    *,
    observation: ObservationRequest,
    cheerful: int,
    gets_along: int,
    calm: int,
    wellbeing: int,
    comment: str = "",
    by: User,
    request=None,
) -> ObservationRequest:
    """The teacher's or parent's answer: the wellbeing rating joins the record's ratings
    (chart, improvement indicator); the requester is told by e-mail (code only)."""
    if observation.addressee_id != by.pk:
        raise PermissionDenied
    with transaction.atomic():
        record = lock_record(observation.record)
        row = (
            ObservationRequest.objects.select_for_update()
            .defer("child_label", "comment")
            .get(pk=observation.pk)
        )
        if not row.is_pending() or not record.is_open:
            raise ValidationError(
                _("This observation can no longer be answered. Thank you all the same.")
            )
        rating = WellbeingRating(
            record=record,
            rater=row.rater,
            rated_on=timezone.localdate(),
            score=wellbeing,
            entered_by=by,
        )
        rating.full_clean(exclude=["record", "entered_by"])
        rating.save()
        row.status = ObservationRequest.Status.ANSWERED
        row.answered_at = timezone.now()
        row.cheerful, row.gets_along, row.calm = cheerful, gets_along, calm
        row.rating = rating
        row.comment = comment.strip()
        row.save(
            update_fields=[
                "status",
                "answered_at",
                "cheerful",
                "gets_along",
                "calm",
                "rating",
                "comment",
            ]
        )
        audit.record("child_observation_answered", request=request, actor=by, obj=record)
        url = _link(request, reverse("monitoring:record-detail", args=[record.code]))
        notices.observation_answered(record, row.requested_by, url)
    return row


def remind_observations(*, now=None) -> int:
    """Remind each addressee once of an observation still unanswered after
    OBSERVATION_REMIND_AFTER_DAYS. Claimed with a conditional UPDATE: a task run twice
    reminds nobody twice."""
    now = now or timezone.now()
    due = list(
        ObservationRequest.objects.pending(now)
        .filter(
            reminded_at=None, requested_at__lte=now - timedelta(days=OBSERVATION_REMIND_AFTER_DAYS)
        )
        .values_list("pk", flat=True)[:1000]
    )
    reminded = 0
    for pk in due:
        with transaction.atomic():
            if not ObservationRequest.objects.filter(pk=pk, reminded_at=None).update(
                reminded_at=now
            ):
                continue
            observation = (
                ObservationRequest.objects.defer("child_label", "comment")
                .select_related("addressee")
                .get(pk=pk)
            )
            with override("id"):
                subject = _("Reminder: a short observation is waiting for you")
            _tell_addressee(observation, subject)
            audit.record(
                "child_observation_reminded",
                object_type=ChildRecord._meta.label_lower,
                object_id=str(observation.record_id),
            )
            reminded += 1
    return reminded


# --- Guardians linked to a record -------------------------------------------------------------


def guardian_link(*, record: ChildRecord, guardian: User, reason: str, by: User, request=None):
    """Tie a parent's account of the child's school to the record, with the reason. The audit
    row names the record by its UUID, never the child or the parent's reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for the link."))
    if (
        guardian.role != Role.ORANG_TUA
        or not guardian.is_active
        or not guardian.school_memberships.filter(school=record.school_id).exists()
    ):
        raise ValidationError(_("Choose a parent of the child's school not linked yet."))
    with transaction.atomic():
        require_open(lock_record(record))
        if GuardianLink.objects.active().filter(record=record, guardian=guardian).exists():
            raise ValidationError(_("This parent is already linked to the record."))
        link = GuardianLink.objects.create(
            record=record, guardian=guardian, reason=reason, linked_by=by
        )
        audit.record("child_guardian_linked", request=request, actor=by, obj=record)
    return link


def guardian_unlink(*, link: GuardianLink, reason: str, by: User, request=None) -> None:
    """End a link, with the reason (also on a closed record: it only takes access away). The
    parent's observation requests still waiting for an answer are cancelled with it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for ending the link."))
    with transaction.atomic():
        record = lock_record(link.record)
        row = GuardianLink.objects.select_for_update().get(pk=link.pk)
        if not row.is_active:
            raise ValidationError(_("This link has already ended."))
        row.ended_at, row.ended_by, row.end_reason = timezone.now(), by, reason
        row.save(update_fields=["ended_at", "ended_by", "end_reason"])
        ObservationRequest.objects.filter(
            record=record, addressee=row.guardian_id, status=ObservationRequest.Status.PENDING
        ).update(status=ObservationRequest.Status.CANCELLED)
        audit.record("child_guardian_unlinked", request=request, actor=by, obj=record)
