"""SOS Desk workflows: one transaction each, an audit row, side effects through the outbox.

A report is committed before anything else happens: notifications are outbox rows written in
the same transaction and sent after commit, so a report is never lost when Redis is down.
Notifications never carry names or details (docs/domain.md §4).
"""

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.accounts.models import Role, User
from peksos.core import audit, tallies
from peksos.core.idempotency import create_once
from peksos.core.uploads import CleanUpload, private_storage
from peksos.notifications.models import Kind
from peksos.notifications.services import notify
from schools import priority
from schools.models import School

from . import desk_rules
from .models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseMessage,
    CaseNote,
    Desk,
    DeskMember,
    Partner,
    Referral,
    StageDeadlines,
    new_pin,
    new_tracking_code,
)
from .protection import reporter_files
from .protection.recipients import case_recipients

Status = Case.Status

# Which status may follow which. Closing needs an outcome.
TRANSITIONS = {
    Status.RECEIVED: {Status.VERIFYING, Status.CLOSED},
    Status.VERIFYING: {Status.HANDLING, Status.REFERRED, Status.CLOSED},
    Status.HANDLING: {Status.REFERRED, Status.CLOSED},
    Status.REFERRED: {Status.HANDLING, Status.CLOSED},
    Status.CLOSED: set(),
}


@dataclass(frozen=True)
class Receipt:
    case: Case
    pin: str | None  # None when a double submit found the existing case
    created: bool


def desk_recipients(school: School) -> list[User]:
    """The school's desk officers and assigned PEKSOS."""
    return list(
        User.objects.filter(
            is_active=True,
            role__in=[Role.SOSDESK, Role.PEKSOS],
            school_memberships__school=school,
        ).distinct()
    )


def koordinator_recipients() -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.KOORDINATOR))


def _notify(
    recipients: list[User], kind: str, subject: str, body: str, link: str, code: str = ""
) -> None:
    """A notification per recipient, e-mailed as each chose (no names or details, in
    Indonesian): peksos.notifications. In the app the line also names the case's code."""
    message = f"{subject} ({code})" if code and code not in subject else subject
    notify(recipients, kind, message, link, email_subject=subject, email_body=body)


def _case_link(case: Case) -> str:
    return reverse("sosdesk:case-detail", args=[case.code])


def _start_stage(case: Case, status: str, now) -> None:
    case.status = status
    case.stage_changed_at = now
    case.stage_due_at = StageDeadlines.current().due_for(status, now)


def _start_police_clock_if_needed(case: Case, now) -> None:
    if case.is_sexual_violence and case.police_due_at is None:
        case.police_due_at = now + timedelta(hours=StageDeadlines.current().police_hours)


def case_file(
    *,
    school: School,
    channel: str,
    narrative: str,
    forms: list[str],
    modalities: list[str],
    scope: str,
    affected: list[str],
    ongoing_danger: str,
    occurred_on=None,
    occurred_text: str = "",
    anonymous: bool = True,
    reporter_name: str = "",
    reporter_contact: str = "",
    reporter_relation: str = "",
    contact_allowed: bool = False,
    idempotency_key: str | None = None,
    by: User | None = None,
    request=None,
    burst: bool = False,
    alert: bool = True,
    dinas_only: bool = False,
    photos: Sequence[CleanUpload] = (),
    photo_names: Sequence[str] = (),
) -> Receipt:
    """Record a report (public form or a desk officer) and alert the desk. `burst` marks a
    public report that arrived past the flood limits; `alert=False` leaves out its own
    e-mails during a flood (sosdesk/flood.py sends one flood notice instead). `dinas_only`:
    the reporter sent it to the Dinas only (sosdesk/permissions.py). `photos`: the
    reporter's, already written under `photo_names` (sosdesk/protection/reporter_files.py)."""
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return Receipt(existing, None, False)
    now = timezone.now()
    pin = new_pin()
    case = Case(
        school=school,
        channel=channel,
        narrative=narrative,
        forms=forms,
        modalities=modalities,
        scope=scope,
        affected=affected,
        ongoing_danger=ongoing_danger,
        occurred_on=occurred_on,
        occurred_text=occurred_text,
        anonymous=anonymous,
        # An anonymous reporter's identity is never stored, whatever was sent.
        reporter_name="" if anonymous else reporter_name,
        reporter_contact="" if anonymous else reporter_contact,
        reporter_relation=reporter_relation,
        contact_allowed=contact_allowed and not anonymous,
        idempotency_key=idempotency_key or None,
        received_by=by,
        received_at=now,
        burst=burst,
        dinas_only=dinas_only,
    )
    case.set_pin(pin)
    _start_stage(case, Status.RECEIVED, now)
    _start_police_clock_if_needed(case, now)
    if ongoing_danger == Case.Danger.YES:
        case.urgency = Case.Urgency.EMERGENCY
    # A tracking code drawn twice (8 characters: about once in a million reports at 1,000,000
    # cases, bench/national.py) draws again: a report is never lost to a collision.
    for _attempt in range(5):
        try:
            # The register-wide figures count the school once, at the end of the writes
            # (sosdesk/figure_tallies.py), not once per row saved; so in each service here.
            with transaction.atomic(), tallies.deferred():
                case.save(force_insert=True)
                CaseEvent.objects.create(
                    case=case,
                    at=now,
                    actor=by,
                    kind=CaseEvent.Kind.RECEIVED,
                    to_status=Status.RECEIVED,
                    detail=channel,
                )
                if photo_names:
                    reporter_files.attach(case, photos, photo_names)
                # An anonymous report is tied neither to the sender's address nor to their
                # account (a teacher logged in may still report anonymously); an officer filing
                # it is named.
                audit.record(
                    "case_filed",
                    request=None if anonymous and by is None else request,
                    actor=by,
                    obj=case,
                    keep_address=not anonymous,
                )
                record_school_case_count(school, now)
                if alert:
                    _alert_new_case(case)
            break
        except IntegrityError:
            # The same form submitted twice at once: the first one won.
            existing = Case.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return Receipt(existing, None, False)
            if not Case.objects.filter(code=case.code).exists():
                raise
            case.code = new_tracking_code()
    else:
        raise IntegrityError("no free tracking code after 5 draws")
    return Receipt(case, pin, True)


def alert_flood(school: School) -> None:
    """Tell the desk (and the Koordinators) once that its public form is flooded."""
    with override("id"):
        _notify(
            desk_recipients(school) + koordinator_recipients(),
            Kind.NEW_CASE,
            _("[URGENT] Many reports at once at the SOS Desk of %(school)s")
            % {"school": school.name},
            _(
                "The public form of %(school)s received very many reports in the last hour. "
                'Every one is saved and marked "arrived in a burst"; no more e-mails are '
                "sent for each of them this hour. Open PEKSOS and check them: genuine and "
                "urgent reports may be among them."
            )
            % {"school": school.name},
            reverse("sosdesk:case-list"),
        )


def record_school_case_count(school: School, now) -> None:
    """Write down the school's case count of the last 24 months (a fact the register's
    priority index reads: docs/design.md §1, higher floors write facts down for lower ones)."""
    # Cases hidden from the school are left out: the count is shown on the school's page.
    count = (
        Case.objects.filter(school=school, received_at__gte=now - timedelta(days=730))
        .exclude(dinas_only=True)
        .exclude(restricted=True)
        .count()
    )
    School.objects.filter(pk=school.pk).update(cases_24m=count)
    priority.recompute(School.objects.filter(pk=school.pk))


def _alert_new_case(case: Case) -> None:
    with override("id"):
        urgent = case.urgency == Case.Urgency.EMERGENCY
        prefix = _("[URGENT] ") if urgent else ""
        subject = prefix + _("New report at the SOS Desk of %(school)s") % {
            "school": case.school.name
        }
        body = _(
            "A new report was received at the SOS Desk of %(school)s (code %(code)s).\n"
            "Open PEKSOS to read and handle it. This e-mail holds no details on purpose."
        ) % {"school": case.school.name, "code": case.code}
        recipients = case_recipients(case)
        if urgent or case.is_sexual_violence:
            recused = set(case.recusals.values_list("user_id", flat=True))
            recipients += [u for u in koordinator_recipients() if u.pk not in recused]
        _notify(recipients, Kind.NEW_CASE, subject, body, _case_link(case), case.code)


def case_triage(
    *, case: Case, urgency: str, forms: list[str], modalities: list[str], by: User, request=None
) -> Case:
    """Set the urgency and the classification (forms of violence, modality)."""
    now = timezone.now()
    with transaction.atomic(), tallies.deferred():
        case = Case.objects.select_for_update().get(pk=case.pk)
        was_urgent = case.urgency == Case.Urgency.EMERGENCY
        case.urgency, case.forms, case.modalities = urgency, forms, modalities
        _start_police_clock_if_needed(case, now)
        case.save()
        CaseEvent.objects.create(
            case=case,
            at=now,
            actor=by,
            kind=CaseEvent.Kind.TRIAGE,
            detail=f"{urgency}; {', '.join(forms)}",
        )
        audit.record("case_triaged", request=request, actor=by, obj=case)
        if urgency == Case.Urgency.EMERGENCY and not was_urgent:
            _alert_new_case(case)
    return case


def case_transition(*, case: Case, to: str, by: User, outcome: str = "", request=None) -> Case:
    if to == Status.CLOSED and not outcome:
        raise ValidationError(_("Choose an outcome to close the case."))
    now = timezone.now()
    with transaction.atomic(), tallies.deferred():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if to not in TRANSITIONS[case.status]:
            raise ValidationError(
                _("A case that is %(now)s cannot become %(to)s.")
                % {"now": case.get_status_display(), "to": Status(to).label}
            )
        if to == Status.CLOSED and case.police_due_at and not case.police_clock_closed_at:
            raise ValidationError(
                _(
                    "Record the police report reference (or an approved reason) "
                    "before closing a case of sexual violence."
                )
            )
        old = case.status
        _start_stage(case, to, now)
        if to == Status.CLOSED:
            case.outcome, case.closed_at, case.stage_due_at = outcome, now, None
        case.save()
        CaseEvent.objects.create(
            case=case,
            at=now,
            actor=by,
            kind=CaseEvent.Kind.STATUS,
            from_status=old,
            to_status=to,
            detail=outcome,
        )
        audit.record(f"case_status_{to}", request=request, actor=by, obj=case)
    return case


def case_refer(
    *, case: Case, partner: str, reason: str, psikolog: User | None, by: User, request=None
) -> Referral:
    if partner == Partner.PSIKOLOG and (psikolog is None or psikolog.role != Role.PSIKOLOG):
        raise ValidationError(_("Choose the psychologist this case is referred to."))
    now = timezone.now()
    with transaction.atomic(), tallies.deferred():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == Status.CLOSED:
            raise ValidationError(_("A closed case cannot be referred."))
        referral = Referral.objects.create(
            case=case,
            partner=partner,
            reason=reason,
            psikolog=psikolog if partner == Partner.PSIKOLOG else None,
            created_by=by,
        )
        if case.status in {Status.VERIFYING, Status.HANDLING}:
            old = case.status
            _start_stage(case, Status.REFERRED, now)
            case.save()
            CaseEvent.objects.create(
                case=case,
                at=now,
                actor=by,
                kind=CaseEvent.Kind.STATUS,
                from_status=old,
                to_status=Status.REFERRED,
            )
        CaseEvent.objects.create(
            case=case, at=now, actor=by, kind=CaseEvent.Kind.REFERRAL, detail=Partner(partner).label
        )
        audit.record("case_referred", request=request, actor=by, obj=case)
        if referral.psikolog:
            with override("id"):
                _notify(
                    [referral.psikolog],
                    Kind.REFERRAL,
                    _("A case was referred to you"),
                    _("A case (code %(code)s) was referred to you. Open PEKSOS to read it.")
                    % {"code": case.code},
                    _case_link(case),
                    case.code,
                )
    return referral


def referral_respond(
    *, referral: Referral, state: str, note: str, by: User, request=None
) -> Referral:
    allowed = {
        Referral.State.SENT: {Referral.State.ACCEPTED, Referral.State.DECLINED},
        Referral.State.ACCEPTED: {Referral.State.DONE},
    }
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if state not in allowed.get(referral.state, set()):
            raise ValidationError(_("This referral cannot change to that state now."))
        referral.state, referral.response_note = state, note
        referral.save()
        CaseEvent.objects.create(
            case=referral.case,
            actor=by,
            kind=CaseEvent.Kind.REFERRAL,
            detail=f"{referral.get_partner_display()}: {referral.get_state_display()}",
        )
        audit.record(f"referral_{state}", request=request, actor=by, obj=referral.case)
    return referral


def case_police_report(*, case: Case, reference: str, by: User, request=None) -> Case:
    with transaction.atomic(), tallies.deferred():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.police_report_ref = reference
        case.police_clock_closed_at = timezone.now()
        case.save()
        CaseEvent.objects.create(case=case, actor=by, kind=CaseEvent.Kind.POLICE, detail=reference)
        audit.record("case_police_reported", request=request, actor=by, obj=case)
    return case


def case_police_exemption(*, case: Case, reason: str, by: User, request=None) -> Case:
    """A reason not to report to the police closes the clock only with a Koordinator's
    approval: an officer records the reason, a Koordinator approves it (or records and approves)."""
    with transaction.atomic(), tallies.deferred():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.police_due_at is None:
            raise ValidationError(_("This case has no police clock."))
        if case.police_clock_closed_at:
            # Otherwise an officer could replace a reason the Koordinator already approved.
            raise ValidationError(_("The police clock of this case is already closed."))
        case.police_exemption_reason = reason
        if by.role == Role.KOORDINATOR:
            case.police_exemption_approved_by = by
            case.police_clock_closed_at = timezone.now()
        case.save()
        CaseEvent.objects.create(
            case=case,
            actor=by,
            kind=CaseEvent.Kind.POLICE,
            detail=_("reason recorded") if by.role != Role.KOORDINATOR else _("reason approved"),
        )
        audit.record("case_police_exemption", request=request, actor=by, obj=case)
        if by.role != Role.KOORDINATOR:
            with override("id"):
                message = _(
                    "A reason not to report case %(code)s to the police waits for your approval."
                ) % {"code": case.code}
                _notify(
                    koordinator_recipients(),
                    Kind.APPROVAL_NEEDED,
                    message,
                    message,
                    _case_link(case),
                    case.code,
                )
    return case


def case_message_from_desk(
    *, case: Case, body: str, by: User, idempotency_key: str | None = None, request=None
) -> CaseMessage:
    """A message to the reporter. The same form sent twice sends once: the reporter never
    reads the same text twice."""
    earlier = (
        CaseMessage.objects.filter(idempotency_key=idempotency_key, case=case, author=by)
        if idempotency_key
        else None
    )

    def send() -> CaseMessage:
        message = CaseMessage.objects.create(
            case=case, body=body, author=by, idempotency_key=idempotency_key or None
        )
        audit.record("case_message_sent", request=request, actor=by, obj=case)
        return message

    return create_once(earlier, send)[0]


class MessageAlert(models.TextChoices):
    """What a reporter's message sends to the desk (chosen by sosdesk/flood.py)."""

    EACH = "each"  # its own e-mail
    FOLD = "fold"  # one notice that many messages came; no e-mail for the next ones
    NONE = "none"  # nothing: the notice was sent this hour


def case_message_from_reporter(
    *,
    case: Case,
    body: str,
    idempotency_key: str | None = None,
    request=None,
    burst: bool = False,
    alert: str = MessageAlert.EACH,
    photos: Sequence[CleanUpload] = (),
    photo_names: Sequence[str] = (),
) -> CaseMessage:
    """A reporter's message: always saved (a child's message is never refused). The same form
    sent twice saves it once and alerts once."""
    earlier = (
        CaseMessage.objects.filter(idempotency_key=idempotency_key, case=case, from_reporter=True)
        if idempotency_key
        else None
    )

    def receive() -> CaseMessage:
        message = CaseMessage.objects.create(
            case=case,
            body=body,
            from_reporter=True,
            burst=burst,
            idempotency_key=idempotency_key or None,
        )
        if photo_names:
            reporter_files.attach(case, photos, photo_names, message)
        audit.record("case_message_received", request=request, obj=case, keep_address=False)
        with override("id"):
            if alert == MessageAlert.EACH:
                _notify(
                    case_recipients(case),
                    Kind.REPORTER_MESSAGE,
                    _("A reporter wrote to the SOS Desk"),
                    _("The reporter of case %(code)s sent a message. Open PEKSOS to read it.")
                    % {"code": case.code},
                    _case_link(case),
                    case.code,
                )
            elif alert == MessageAlert.FOLD:
                _notify(
                    case_recipients(case),
                    Kind.REPORTER_MESSAGE,
                    _("Many messages from the reporter of case %(code)s") % {"code": case.code},
                    _(
                        "The reporter of case %(code)s sent many messages in the last hour. "
                        "Every one is saved; no more e-mails are sent for them this hour. Open "
                        "PEKSOS to read them."
                    )
                    % {"code": case.code},
                    _case_link(case),
                    case.code,
                )
        return message

    return create_once(earlier, receive)[0]


def case_note(
    *,
    case: Case,
    body: str,
    by: User,
    request=None,
    attachments: Sequence[CleanUpload] = (),
    idempotency_key: str | None = None,
) -> CaseNote:
    """An internal note, with files already checked by `peksos.core.uploads`. The files are
    written first (under generated names) and removed again if anything fails: no row points
    to a missing file and no file is left without its row. A full disk is a clear refusal.
    The same form sent twice adds one note (its files are not written twice)."""
    earlier = (
        CaseNote.objects.filter(idempotency_key=idempotency_key, case=case, author=by)
        if idempotency_key
        else None
    )
    if earlier is not None and (found := earlier.first()) is not None:
        return found
    storage = private_storage()
    saved: list[str] = []
    try:
        for upload in attachments:
            saved.append(storage.save(upload.storage_name, upload.as_file()))

        def add() -> CaseNote:
            note = CaseNote.objects.create(
                case=case, body=body, author=by, idempotency_key=idempotency_key or None
            )
            CaseAttachment.objects.bulk_create(
                CaseAttachment(
                    case=case,
                    note=note,
                    file=name,
                    display_name=upload.display_name[:150],
                    content_type=upload.content_type,
                    size=upload.size,
                    sha256=upload.sha256,
                    uploaded_by=by,
                )
                for upload, name in zip(attachments, saved, strict=True)
            )
            audit.record("case_note_added", request=request, actor=by, obj=case)
            return note

        note, created = create_once(earlier, add, looked_up=True)
    except BaseException as exc:
        # Also the file being written when it failed (a full disk leaves a partial file).
        for name in {*saved, *(upload.storage_name for upload in attachments)}:
            with suppress(OSError):
                storage.delete(name)
        if isinstance(exc, OSError):
            raise ValidationError(
                _("The server could not save the files; nothing was saved. Try again later."),
                code="storage",
            ) from exc
        raise
    if not created:  # the same form, sent at the same moment, was saved first
        for name in saved:
            with suppress(OSError):
                storage.delete(name)
    return note


def escalate_overdue(now=None) -> int:
    """Tell the Koordinators about cases past a deadline (once per case and stage)."""
    now = now or timezone.now()
    count = 0
    for case in Case.objects.overdue(now).select_related("school"):
        already = case.events.filter(kind=CaseEvent.Kind.ESCALATED, at__gte=case.stage_changed_at)
        if already.exists():
            continue
        with transaction.atomic():
            CaseEvent.objects.create(case=case, at=now, kind=CaseEvent.Kind.ESCALATED)
            with override("id"):
                _notify(
                    koordinator_recipients(),
                    Kind.FOLLOW_UP_OVERDUE,
                    _("A case is past its deadline"),
                    _(
                        "Case %(code)s at %(school)s is past its deadline. Open the PEKSOS "
                        "overdue board."
                    )
                    % {"code": case.code, "school": case.school.name},
                    _case_link(case),
                    case.code,
                )
        count += 1
    return count


# --- The desk (TPPK + PEKSOS) ------------------------------------------------------------
# Each change writes down whether the desk works (`School.has_sos_desk`, read by the
# register's priority index) in the same transaction, and recomputes the school's priority.


def desk_ensure(school: School, *, by: User | None = None, request=None) -> Desk:
    """The school's desk, created (with its public code) on first use."""
    desk = Desk.objects.filter(school=school).first()
    if desk is not None:
        return desk
    with transaction.atomic():
        desk, created = Desk.objects.get_or_create(school=school)
        if created:
            audit.record("desk_created", request=request, actor=by, obj=desk)
    return desk


def _record_desk_fact(desk: Desk) -> bool:
    """Write down whether the desk works, and the school's priority that depends on it."""
    working = desk_rules.desk_is_working(desk, list(desk.members.all()))
    schools = School.objects.filter(pk=desk.school_id)
    schools.update(has_sos_desk=working)
    priority.recompute(schools)
    return working


def desks_refresh_working(today=None) -> int:
    """Re-check every desk (a term ends without anyone touching the desk): run daily.
    Returns how many schools changed."""
    changed = 0
    desks = Desk.objects.select_related("school").prefetch_related("members")
    for desk in desks.iterator(chunk_size=500):
        members = list(desk.members.all())
        if not members and not desk.sk_number:
            continue  # nothing recorded yet: the school's desk stays unknown, not "none"
        working = desk_rules.desk_is_working(desk, members, today)
        if desk.school.has_sos_desk is not working:
            with transaction.atomic():
                _record_desk_fact(desk)
            changed += 1
    return changed


def desk_update(
    *, desk: Desk, sk_number: str, term_start, term_end, by: User, request=None
) -> Desk:
    """Record the principal's decree (SK) appointing the team, and its term."""
    with transaction.atomic():
        desk = Desk.objects.select_for_update().get(pk=desk.pk)
        desk.sk_number, desk.term_start, desk.term_end = sk_number, term_start, term_end
        desk.save(update_fields=["sk_number", "term_start", "term_end"])
        audit.record("desk_updated", request=request, actor=by, obj=desk)
        _record_desk_fact(desk)
    return desk


def desk_member_add(
    *,
    desk: Desk,
    name: str,
    position: str,
    is_chair: bool = False,
    is_principal: bool = False,
    user: User | None = None,
    by: User,
    request=None,
) -> DeskMember:
    """Add a member. A new chair replaces the previous one (a team has one chair)."""
    with transaction.atomic():
        desk = Desk.objects.select_for_update().get(pk=desk.pk)
        if is_chair:
            desk.members.filter(is_chair=True).update(is_chair=False)
        member = DeskMember.objects.create(
            desk=desk,
            name=name,
            position=position,
            is_chair=is_chair,
            is_principal=is_principal,
            user=user,
        )
        audit.record("desk_member_added", request=request, actor=by, obj=desk)
        _record_desk_fact(desk)
    return member


def desk_member_remove(*, member: DeskMember, by: User, request=None) -> None:
    with transaction.atomic():
        desk = Desk.objects.select_for_update().get(pk=member.desk_id)
        DeskMember.objects.filter(pk=member.pk, desk=desk).delete()
        audit.record("desk_member_removed", request=request, actor=by, obj=desk)
        _record_desk_fact(desk)
