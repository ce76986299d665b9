"""Monitoring workflows: keyword-only verbs, one transaction each, one audit row each.

Audit rows name the record by its UUID and never hold a name, a contact or a note's text.
Who may call which verb is decided in `monitoring.permissions`; the verbs re-check the rules
that protect the child whatever the caller (a referral needs consent, an override needs a
Koordinator), and refuse a step with a ValidationError the view turns into a message.
"""

from datetime import date, datetime, time
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.accounts.models import Role, User
from peksos.core import audit, crypto, outbox
from peksos.core.idempotency import create_once
from schools.models import School
from sosdesk.models import Case

from .models import (
    GAS_MAX,
    GAS_MIN,
    ChildRecord,
    Consent,
    Goal,
    GoalScore,
    Intervention,
    ProgressNote,
    SdqScore,
    SupportPlan,
    WellbeingRating,
)
from .permissions import is_supervisor


def require_open(record: ChildRecord) -> None:
    if not record.is_open:
        raise ValidationError(_("This record is closed: it can no longer be changed."))


def lock_record(record: ChildRecord) -> ChildRecord:
    """The record's row, locked for this transaction (identity columns not loaded)."""
    return ChildRecord.objects.without_identity().select_for_update().get(pk=record.pk)


# --- The record ---------------------------------------------------------------------------


def record_open(
    *,
    school: School,
    class_level: str,
    sex: str,
    birth_year: int,
    name: str,
    guardian_contact: str = "",
    tier: int = ChildRecord.Tier.INDIVIDUAL,
    case: Case | None = None,
    source: str | None = None,
    peksos: User | None = None,
    idempotency_key: str | None = None,
    by: User,
    request=None,
) -> ChildRecord:
    """Open a record. A double submit (same idempotency key) returns the first record."""
    earlier = (
        ChildRecord.objects.without_identity().filter(idempotency_key=idempotency_key)
        if idempotency_key
        else None
    )
    if earlier is not None and (found := earlier.first()) is not None:
        return found
    if case is not None and case.school_id != school.pk:
        raise ValidationError(_("The record must be for the school of the case."))
    now = timezone.now()
    record = ChildRecord(
        school=school,
        class_level=class_level,
        sex=sex,
        birth_year=birth_year,
        name=name,
        guardian_contact=guardian_contact,
        tier=tier,
        case=case,
        source=source or (ChildRecord.Source.CASE if case else ChildRecord.Source.DIRECT),
        peksos=peksos,
        created_at=now,
        created_by=by,
        last_contact_at=now,
        idempotency_key=idempotency_key or None,
    )

    def open_() -> ChildRecord:
        record.save(force_insert=True)
        audit.record("child_record_opened", request=request, actor=by, obj=record)
        return record

    return create_once(earlier, open_, looked_up=True)[0]


class Identity(NamedTuple):
    name: str
    guardian_contact: str


def identity_reveal(*, record: ChildRecord, by: User, request=None) -> Identity:
    """Decrypt the name and guardian's contact for one response; one audit row every time."""
    with transaction.atomic():
        audit.record("child_name_revealed", request=request, actor=by, obj=record)
        row = ChildRecord.objects.only("name", "guardian_contact").get(pk=record.pk)
    return Identity(row.name, row.guardian_contact)


def record_close_request(
    *, record: ChildRecord, outcome: str, note: str, by: User, request=None
) -> ChildRecord:
    """Ask for the record's closure with an outcome and a reason; it stays open until a
    Koordinator who did not ask approves it. Asking again replaces the request."""
    if outcome not in ChildRecord.Outcome.values:
        raise ValidationError(_("Choose an outcome to close the record."))
    if not note.strip():
        raise ValidationError(_("Give the reason for closing the record."))
    with transaction.atomic():
        record = lock_record(record)
        require_open(record)
        record.outcome = outcome
        record.closing_note = note.strip()
        record.closure_requested_at = timezone.now()
        record.closure_requested_by = by
        record.save(
            update_fields=[
                "outcome",
                "closing_note",
                "closure_requested_at",
                "closure_requested_by",
            ]
        )
        audit.record("child_closure_requested", request=request, actor=by, obj=record)
    return record


def _require_closure_request(record: ChildRecord, by: User) -> None:
    if not is_supervisor(by):
        raise PermissionDenied
    require_open(record)
    if record.closure_requested_at is None:
        raise ValidationError(_("Nobody has asked to close this record."))


def record_close_approve(*, record: ChildRecord, by: User, request=None) -> ChildRecord:
    """A Koordinator closes the record as asked. Four eyes: not the person who asked."""
    with transaction.atomic():
        record = lock_record(record)
        _require_closure_request(record, by)
        if record.closure_requested_by_id == by.pk:
            raise ValidationError(
                _("Another Koordinator must approve a closure you asked for yourself.")
            )
        record.status = ChildRecord.Status.CLOSED
        record.closed_at = timezone.now()
        record.closed_by = by
        record.save(update_fields=["status", "closed_at", "closed_by"])
        audit.record("child_record_closed", request=request, actor=by, obj=record)
    return record


def record_close_reject(*, record: ChildRecord, by: User, request=None) -> ChildRecord:
    """A Koordinator turns the request down: the record stays open, the request is cleared."""
    with transaction.atomic():
        record = lock_record(record)
        _require_closure_request(record, by)
        record.outcome = ""
        record.closing_note = ""
        record.closure_requested_at = None
        record.closure_requested_by = None
        record.save(
            update_fields=[
                "outcome",
                "closing_note",
                "closure_requested_at",
                "closure_requested_by",
            ]
        )
        audit.record("child_closure_rejected", request=request, actor=by, obj=record)
    return record


# --- Consent ------------------------------------------------------------------------------


def consent_record(
    *,
    record: ChildRecord,
    purpose: str,
    given_by: str,
    given_on: date,
    method: str,
    witness: str = "",
    scope: str = "",
    form_bytes: bytes | None = None,
    form_content_type: str = "",
    by: User,
    request=None,
) -> Consent:
    """The guardian's consent for one purpose: a signed paper form (uploaded, stored encrypted)
    or given verbally before a witness."""
    if method == Consent.Method.PAPER and not form_bytes:
        raise ValidationError(_("Upload the signed consent form."))
    if method == Consent.Method.VERBAL and not witness.strip():
        raise ValidationError(_("Name the witness of the verbal consent."))
    if method not in {Consent.Method.PAPER, Consent.Method.VERBAL}:
        raise ValidationError(_("Choose how the consent was given."))
    consent = Consent(
        record=record,
        purpose=purpose,
        given_by=given_by,
        given_on=given_on,
        method=method,
        witness=witness.strip() if method == Consent.Method.VERBAL else "",
        scope=scope,
        recorded_by=by,
    )
    with transaction.atomic():
        require_open(lock_record(record))
        if method == Consent.Method.PAPER:
            consent.form_content_type = form_content_type
            consent.form_file.save(
                "form", ContentFile(crypto.encrypt_bytes(form_bytes)), save=False
            )
        try:
            consent.save(force_insert=True)
            audit.record("child_consent_recorded", request=request, actor=by, obj=record)
        except Exception:
            if consent.form_file:
                consent.form_file.delete(save=False)
            raise
    return consent


def consent_override(
    *, record: ChildRecord, purpose: str, reason: str, legal_basis: str, by: User, request=None
) -> Consent:
    """A best-interest override when the guardian is the alleged abuser: Koordinators only,
    with a reason and a legal basis."""
    if not is_supervisor(by):
        raise PermissionDenied
    if not reason.strip() or not legal_basis.strip():
        raise ValidationError(_("An override needs a reason and its legal basis."))
    with transaction.atomic():
        require_open(lock_record(record))
        consent = Consent.objects.create(
            record=record,
            purpose=purpose,
            given_on=timezone.localdate(),
            method=Consent.Method.OVERRIDE,
            override_reason=reason.strip(),
            legal_basis=legal_basis.strip(),
            approved_by=by,
            recorded_by=by,
        )
        audit.record("child_consent_override", request=request, actor=by, obj=record)
    return consent


def consent_withdraw(*, consent: Consent, by: User, request=None) -> Consent:
    """Withdraw a consent (also after closure). Withdrawing the referral consent ends the
    referral: the psychologist no longer sees the record. Lifting an override is a
    Koordinator's act."""
    if consent.is_override and not is_supervisor(by):
        raise PermissionDenied
    with transaction.atomic():
        record = lock_record(consent.record)
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if not consent.is_active:
            raise ValidationError(_("This consent was already withdrawn."))
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = by
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit.record("child_consent_withdrawn", request=request, actor=by, obj=record)
        if record.psikolog_id and not record.may_be_referred():
            record.psikolog = None
            record.save(update_fields=["psikolog"])
            audit.record("child_referral_ended", request=request, actor=by, obj=record)
    return consent


def _require_referral_consent(record: ChildRecord) -> None:
    if not record.may_be_referred():
        raise ValidationError(
            _(
                "Referral is blocked: record the guardian's consent for referral first (or a "
                "Koordinator's best-interest override)."
            )
        )


def record_refer(*, record: ChildRecord, psikolog: User, by: User, request=None) -> ChildRecord:
    """Refer the child to a psychologist, who then sees the record. Needs referral consent."""
    if psikolog.role != Role.PSIKOLOG or not psikolog.is_active:
        raise ValidationError(_("Choose an active psychologist."))
    with transaction.atomic():
        record = lock_record(record)
        require_open(record)
        _require_referral_consent(record)
        record.psikolog = psikolog
        record.referred_at = timezone.now()
        record.save(update_fields=["psikolog", "referred_at"])
        audit.record("child_referred", request=request, actor=by, obj=record)
        if psikolog.email:
            with override("id"):
                outbox.enqueue_email(
                    to=[psikolog.email],
                    subject=_("A child was referred to you"),
                    body=_(
                        "A child (record %(code)s) was referred to you. Open PEKSOS to read "
                        "the record."
                    )
                    % {"code": record.code},
                )
    return record


# --- Plan, goals, interventions -----------------------------------------------------------


def plan_save(*, record: ChildRecord, tier: int, needs: str, by: User, request=None) -> SupportPlan:
    """Write or change the plan; a change asks for the Koordinator's approval again."""
    with transaction.atomic():
        record = lock_record(record)
        require_open(record)
        if record.tier != tier:
            record.tier = tier
            record.save(update_fields=["tier"])
        plan, _created = SupportPlan.objects.update_or_create(
            record=record,
            defaults={
                "needs": needs,
                "updated_at": timezone.now(),
                "updated_by": by,
                "approved_at": None,
                "approved_by": None,
            },
        )
        audit.record("child_plan_saved", request=request, actor=by, obj=record)
    return plan


def plan_approve(*, record: ChildRecord, by: User, request=None) -> SupportPlan:
    if not is_supervisor(by):
        raise PermissionDenied
    with transaction.atomic():
        record = lock_record(record)
        require_open(record)
        plan = SupportPlan.objects.select_for_update().filter(record=record).first()
        if plan is None:
            raise ValidationError(_("Write the support plan first."))
        if plan.approved_at:
            raise ValidationError(_("The plan is already approved."))
        plan.approved_at = timezone.now()
        plan.approved_by = by
        plan.save(update_fields=["approved_at", "approved_by"])
        audit.record("child_plan_approved", request=request, actor=by, obj=record)
    return plan


def goal_add(
    *, record: ChildRecord, description: str, target_date: date, by: User, request=None
) -> Goal:
    with transaction.atomic():
        require_open(lock_record(record))
        goal = Goal.objects.create(
            record=record, description=description, target_date=target_date, created_by=by
        )
        audit.record("child_goal_added", request=request, actor=by, obj=record)
    return goal


def goal_score(*, goal: Goal, score: int, scored_on: date, by: User, request=None) -> GoalScore:
    """A goal attainment score (-2..+2)."""
    if not GAS_MIN <= score <= GAS_MAX:
        raise ValidationError(_("Goal attainment is scored from -2 to +2."))
    with transaction.atomic():
        record = lock_record(goal.record)
        require_open(record)
        row = GoalScore.objects.create(goal=goal, score=score, scored_on=scored_on, scored_by=by)
        audit.record("child_goal_scored", request=request, actor=by, obj=record)
    return row


def intervention_add(
    *,
    record: ChildRecord,
    kind: str,
    provider: str,
    frequency: str,
    starts_on: date,
    by: User,
    request=None,
) -> Intervention:
    """An intervention of the plan. A referral to a partner needs referral consent."""
    with transaction.atomic():
        record = lock_record(record)
        require_open(record)
        if kind == Intervention.Kind.REFERRAL:
            _require_referral_consent(record)
        intervention = Intervention.objects.create(
            record=record,
            kind=kind,
            provider=provider,
            frequency=frequency,
            starts_on=starts_on,
            created_by=by,
        )
        audit.record("child_intervention_added", request=request, actor=by, obj=record)
    return intervention


# --- Progress and measures ----------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def note_add(
    *, record: ChildRecord, noted_on: date, source: str, text: str, by: User, request=None
) -> ProgressNote:
    """A progress note; it restarts the follow-up clock from the day it describes."""
    with transaction.atomic():
        record = lock_record(record)
        require_open(record)
        note = ProgressNote.objects.create(
            record=record, noted_on=noted_on, source=source, text=text, author=by
        )
        contact = min(_start_of(noted_on), timezone.now())
        if contact > record.last_contact_at:
            record.last_contact_at = contact
            record.save(update_fields=["last_contact_at"])
        audit.record("child_note_added", request=request, actor=by, obj=record)
    return note


def sdq_add(
    *,
    record: ChildRecord,
    informant: str,
    taken_on: date,
    emotional: int,
    conduct: int,
    hyperactivity: int,
    peer: int,
    prosocial: int,
    by: User,
    request=None,
) -> SdqScore:
    """SDQ scores copied from a paper form; the total is computed (the four difficulty
    subscales). Range checks are the form's and the database's (CHECK constraints)."""
    with transaction.atomic():
        require_open(lock_record(record))
        score = SdqScore(
            record=record,
            informant=informant,
            taken_on=taken_on,
            emotional=emotional,
            conduct=conduct,
            hyperactivity=hyperactivity,
            peer=peer,
            prosocial=prosocial,
            entered_by=by,
        )
        score.total = emotional + conduct + hyperactivity + peer
        score.full_clean(exclude=["record", "entered_by"])
        score.save()
        audit.record("child_sdq_added", request=request, actor=by, obj=record)
    return score


def wellbeing_add(
    *, record: ChildRecord, rater: str, rated_on: date, score: int, by: User, request=None
) -> WellbeingRating:
    with transaction.atomic():
        require_open(lock_record(record))
        rating = WellbeingRating(
            record=record, rater=rater, rated_on=rated_on, score=score, entered_by=by
        )
        rating.full_clean(exclude=["record", "entered_by"])
        rating.save()
        audit.record("child_wellbeing_added", request=request, actor=by, obj=record)
    return rating
