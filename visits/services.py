"""Visit workflows: one transaction each, an audit row, e-mails through the outbox.

A step the rules refuse raises `Refusal` (peksos.core.refusals) with messages for the person;
nothing is written then. E-mails hold the school's name and the dates only, in Indonesian.
"""

import time
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.accounts.models import Role, User
from peksos.core import audit
from peksos.core.refusals import Refusal
from peksos.core.uploads import CleanUpload
from peksos.notifications.models import Kind
from peksos.notifications.services import notify
from schools import priority
from schools.models import School, SchoolMembership

from . import checks, planner, planning
from .models import (
    CalendarFeedToken,
    DateChange,
    PlanRun,
    StaffCapacity,
    StaffLeave,
    Visit,
    VisitAgreement,
    VisitMember,
)
from .permissions import can_override_rules

State = Visit.State


# --- recipients and e-mails -------------------------------------------------------------------


def _people(users: QuerySet[User]) -> list[User]:
    return list(users.filter(is_active=True).distinct().order_by("pk"))


def school_recipients(school: School) -> list[User]:
    """The principal and SOS Desk officers of the school: they answer proposed dates."""
    return _people(
        User.objects.filter(
            role__in=[Role.KEPALA_SEKOLAH, Role.SOSDESK], school_memberships__school=school
        )
    )


def staff_recipients(visit: Visit) -> list[User]:
    """The visit's team and the PEKSOS serving the school."""
    return _people(
        User.objects.filter(
            Q(visit_memberships__visit=visit)
            | Q(role=Role.PEKSOS, school_memberships__school_id=visit.school_id)
        )
    )


def _day(d: date) -> str:
    return formats.date_format(d, "l, j F Y")


def _send(recipients: list[User], subject: str, body: str, link: str) -> None:
    """A notification per person, e-mailed as each chose (peksos.notifications)."""
    notify(recipients, Kind.VISIT, subject, link, email_body=body)


def _visit_url(visit: Visit) -> str:
    return reverse("visits:visit-detail", args=[visit.pk])


def _tell_school(visit: Visit, subject: str, body: str) -> None:
    with override("id"):
        _send(school_recipients(visit.school), str(subject), str(body), _visit_url(visit))


def _tell_staff(visit: Visit, subject: str, body: str) -> None:
    _send(staff_recipients(visit), subject, body, _visit_url(visit))


# --- the plan -----------------------------------------------------------------------------


def plan_generate(
    *, options: planning.PlanOptions, schools: QuerySet[School], by: User, request=None
) -> PlanRun:
    """Plan the school year for the given schools and send the proposals to the schools."""
    started = time.perf_counter()
    problem = planning.build_problem(options, schools)
    result = planner.plan(problem)
    elapsed = int((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        run = planning.save_plan(
            options=options,
            schools=schools,
            problem=problem,
            result=result,
            by=by,
            duration_ms=elapsed,
        )
        audit.record("visit_plan_generated", request=request, actor=by, obj=run)
        _announce_plan(run)
    return run


def _announce_plan(run: PlanRun) -> None:
    """One e-mail per school contact, listing the dates proposed to their school(s)."""
    dates: dict[int, list[date]] = {}
    for school_id, day in Visit.objects.filter(plan=run).values_list("school_id", "date"):
        dates.setdefault(school_id, []).append(day)
    contacts = (
        SchoolMembership.objects.filter(
            school__in=Visit.objects.filter(plan=run).values("school_id"),
            user__role__in=[Role.KEPALA_SEKOLAH, Role.SOSDESK],
            user__is_active=True,
        )
        .select_related("user", "school")
        .order_by("school__name")
    )
    people: dict[int, User] = {}
    by_person: dict[int, list[str]] = {}
    with override("id"):
        for contact in contacts:
            people[contact.user_id] = contact.user
            for day in sorted(dates.get(contact.school_id, ())):
                by_person.setdefault(contact.user_id, []).append(
                    f"- {contact.school.name}: {_day(day)}"
                )
        subject = _("Proposed PEKSOS visits for the school year %(year)s") % {
            "year": f"{run.school_year}/{run.school_year + 1}"
        }
        for person, lines in by_person.items():
            body = _(
                "The Dinas Sosial proposes these PEKSOS visits to your school:\n%(lines)s\n\n"
                "Open PEKSOS (menu Kunjungan) to accept each date or to propose another one."
            ) % {"lines": "\n".join(lines)}
            _send([people[person]], subject, body, reverse("visits:visit-agreement"))


# --- one visit ----------------------------------------------------------------------------


def _locked(visit: Visit) -> Visit:
    return Visit.objects.select_for_update().select_related("school__kecamatan").get(pk=visit.pk)


def _pending(visit: Visit) -> DateChange | None:
    return visit.changes.filter(state=DateChange.State.PENDING).first()


def _set_team(visit: Visit, team: list[tuple[User, str]]) -> None:
    wanted = {user.pk: role for user, role in team}
    visit.members.exclude(user_id__in=wanted).delete()
    existing = {m.user_id: m for m in visit.members.all()}
    for user_id, role in wanted.items():
        member = existing.get(user_id)
        if member is None:
            VisitMember.objects.create(visit=visit, user_id=user_id, role=role)
        elif member.role != role:
            member.role = role
            member.save(update_fields=["role"])


def _answer(change: DateChange | None, state: str, by: User) -> None:
    if change is not None:
        change.state, change.answered_by, change.answered_at = state, by, timezone.now()
        change.save(update_fields=["state", "answered_by", "answered_at"])


def _require(visit: Visit, *states: str) -> None:
    if visit.state not in states:
        raise Refusal(
            [
                _("This visit is %(state)s: that step is not possible.")
                % {"state": visit.get_state_display()}
            ]
        )


def _check_rules(
    visit: Visit, day: date, team: list[tuple[User, str]], override_reason: str, by: User
) -> bool:
    """The planner's hard rules for `visit` on `day` with `team`. Broken rules refuse the step,
    unless a Koordinator overrides them with a reason. Returns whether they were overridden."""
    check = checks.check_visit(visit, day, team)
    if check.ok:
        return False
    if not override_reason or not can_override_rules(by):
        raise Refusal(check.errors)
    return True


def visit_create(
    *,
    school: School,
    kind: str,
    day: date,
    team: list[tuple[User, str]],
    needs_pendamping: bool = False,
    origin: str = "",
    override_reason: str = "",
    by: User,
    request=None,
) -> Visit:
    """A visit made by hand (the plan left a school out, a follow-up after a case): proposed
    to the school like the planner's, under the same hard rules; a Koordinator may override
    them with a reason, kept on the visit and in the audit log."""
    with transaction.atomic():
        visit = Visit(
            school=School.objects.select_related("kecamatan").get(pk=school.pk),
            kind=kind,
            needs_pendamping=needs_pendamping,
            origin=origin,
            created_by=by,
        )
        visit.set_date(day)
        overridden = _check_rules(visit, day, team, override_reason, by)
        visit.override_reason = override_reason if overridden else ""
        visit.save()
        _set_team(visit, team)
        audit.record("visit_created", request=request, actor=by, obj=visit)
        if overridden:
            audit.record("visit_rules_overridden", request=request, actor=by, obj=visit)
        with override("id"):
            _tell_school(
                visit,
                _("Proposed PEKSOS visit to %(school)s on %(date)s")
                % {"school": visit.school.name, "date": _day(day)},
                _(
                    "The Dinas Sosial proposes a PEKSOS visit to %(school)s on %(date)s.\n"
                    "Open PEKSOS (menu Kunjungan) to accept it or propose another date."
                )
                % {"school": visit.school.name, "date": _day(day)},
            )
    return visit


def visit_move(
    *,
    visit: Visit,
    day: date,
    team: list[tuple[User, str]],
    reason: str = "",
    kind: str | None = None,
    override_reason: str = "",
    by: User,
    request=None,
) -> Visit:
    """Change a planned visit's date, team and/or kind, under the planner's hard rules (a
    Koordinator may override them with a reason). An agreed visit moved to another date is
    kept as `rescheduled`; a new proposal takes its place and goes to the school for
    agreement. Returns the visit that now holds the date."""
    with transaction.atomic():
        visit = _locked(visit)
        _require(visit, State.PROPOSED, State.AGREED)
        if kind and kind != visit.kind:
            visit.kind = kind
            visit.needs_pendamping = visit.needs_pendamping or kind in Visit.PENDAMPING_KINDS
            visit.save(update_fields=["kind", "needs_pendamping", "updated_at"])
        overridden = _check_rules(visit, day, team, override_reason, by)
        if overridden:
            visit.override_reason = override_reason
            visit.save(update_fields=["override_reason", "updated_at"])
        moved = day != visit.date
        target = visit
        if moved:
            DateChange.objects.create(
                visit=visit,
                kind=DateChange.Kind.MOVE,
                from_date=visit.date,
                to_date=day,
                reason=reason,
                state=DateChange.State.APPLIED,
                proposed_by=by,
            )
            _answer(_pending(visit), DateChange.State.DECLINED, by)
            if visit.state == State.AGREED:
                target = Visit(
                    school=visit.school,
                    kind=visit.kind,
                    needs_pendamping=visit.needs_pendamping,
                    locked=visit.locked,
                    plan=visit.plan,
                    rescheduled_from=visit,
                    origin=visit.origin,
                    override_reason=visit.override_reason,
                    created_by=by,
                )
                target.set_date(day)
                target.save()
                visit.state = State.RESCHEDULED
                visit.save(update_fields=["state", "updated_at"])
            else:
                visit.set_date(day)
                visit.save()
        _set_team(target, team)
        audit.record("visit_moved", request=request, actor=by, obj=target)
        if overridden:
            audit.record("visit_rules_overridden", request=request, actor=by, obj=target)
        if moved:
            with override("id"):
                _tell_school(
                    target,
                    _("New proposed date for the PEKSOS visit to %(school)s")
                    % {"school": target.school.name},
                    _(
                        "The PEKSOS visit to %(school)s is now proposed for %(date)s.\n"
                        "Reason: %(reason)s\nOpen PEKSOS (menu Kunjungan) to accept it or "
                        "propose another date."
                    )
                    % {"school": target.school.name, "date": _day(day), "reason": reason or "-"},
                )
    return target


def visit_set_lock(*, visit: Visit, locked: bool, by: User, request=None) -> Visit:
    with transaction.atomic():
        visit = _locked(visit)
        visit.locked = locked
        visit.save(update_fields=["locked", "updated_at"])
        audit.record(
            "visit_locked" if locked else "visit_unlocked", request=request, obj=visit, actor=by
        )
    return visit


def visit_accept(*, visit: Visit, by: User, request=None) -> Visit:
    """The school agrees to the proposed date."""
    with transaction.atomic():
        visit = _locked(visit)
        _require(visit, State.PROPOSED)
        if _pending(visit) is not None:
            raise Refusal([_("The school's proposed date is waiting for the programme's answer.")])
        visit.state = State.AGREED
        visit.save(update_fields=["state", "updated_at"])
        audit.record("visit_agreed", request=request, actor=by, obj=visit)
        with override("id"):
            _tell_staff(
                visit,
                _("%(school)s agreed to the visit on %(date)s")
                % {"school": visit.school.name, "date": _day(visit.date)},
                _("%(school)s agreed to the PEKSOS visit on %(date)s.")
                % {"school": visit.school.name, "date": _day(visit.date)},
            )
    return visit


def visit_agreement_record(
    *,
    visit: Visit,
    contact_name: str,
    contact_position: str,
    channel: str,
    agreed_on: date,
    letter: CleanUpload | None = None,
    by: User,
    request=None,
) -> VisitAgreement:
    """The school agreed to the proposed date outside PEKSOS (by phone, letter, message, in
    person) and the programme records it: the visit is agreed, as if the school had accepted
    it itself. The letter is stored only if the transaction commits."""
    stored = ""
    try:
        with transaction.atomic():
            visit = _locked(visit)
            _require(visit, State.PROPOSED)
            if _pending(visit) is not None:
                raise Refusal(
                    [_("The school's proposed date is waiting: accept it or suggest another.")]
                )
            agreement = VisitAgreement(
                visit=visit,
                contact_name=contact_name,
                contact_position=contact_position,
                channel=channel,
                agreed_on=agreed_on,
                recorded_by=by,
            )
            if letter is not None:
                agreement.letter = letter.as_file()
                agreement.letter_name = letter.display_name
                agreement.letter_type = letter.content_type
                agreement.letter_sha256 = letter.sha256
            agreement.save()
            stored = agreement.letter.name if letter is not None else ""
            visit.state = State.AGREED
            visit.save(update_fields=["state", "updated_at"])
            audit.record("visit_agreement_recorded", request=request, actor=by, obj=visit)
            with override("id"):
                _tell_staff(
                    visit,
                    _("%(school)s agreed to the visit on %(date)s")
                    % {"school": visit.school.name, "date": _day(visit.date)},
                    _("%(school)s agreed to the PEKSOS visit on %(date)s.")
                    % {"school": visit.school.name, "date": _day(visit.date)},
                )
    except Exception:
        if stored:
            VisitAgreement._meta.get_field("letter").storage.delete(stored)
        raise
    return agreement


def visit_counter(*, visit: Visit, day: date, reason: str, by: User, request=None) -> DateChange:
    """The school proposes another date, with a reason; the programme answers."""
    with transaction.atomic():
        visit = _locked(visit)
        _require(visit, State.PROPOSED)
        if _pending(visit) is not None:
            raise Refusal([_("A date proposed by the school is already waiting.")])
        errors = checks.check_calendar(visit, day)
        if day == visit.date:
            errors.append(_("That is the date already proposed: accept it instead."))
        if errors:
            raise Refusal(errors)
        change = DateChange.objects.create(
            visit=visit,
            kind=DateChange.Kind.COUNTER,
            from_date=visit.date,
            to_date=day,
            reason=reason,
            state=DateChange.State.PENDING,
            proposed_by=by,
        )
        audit.record("visit_date_proposed", request=request, actor=by, obj=visit)
        with override("id"):
            _tell_staff(
                visit,
                _("%(school)s proposes another date for its visit") % {"school": visit.school.name},
                _(
                    "%(school)s proposes %(date)s instead of %(old)s for the PEKSOS visit.\n"
                    "Reason: %(reason)s\nOpen PEKSOS to accept it or suggest another date."
                )
                % {
                    "school": visit.school.name,
                    "date": _day(day),
                    "old": _day(visit.date),
                    "reason": reason,
                },
            )
    return change


def visit_counter_accept(*, visit: Visit, by: User, request=None) -> Visit:
    """The programme accepts the school's date (if the team can come that day)."""
    with transaction.atomic():
        visit = _locked(visit)
        _require(visit, State.PROPOSED)
        change = _pending(visit)
        if change is None:
            raise Refusal([_("No date proposed by the school is waiting.")])
        check = checks.check_visit(visit, change.to_date, checks.current_team(visit))
        if not check.ok:
            raise Refusal([*check.errors, _("Suggest another date, or change the team first.")])
        _answer(change, DateChange.State.ACCEPTED, by)
        visit.set_date(change.to_date)
        visit.state = State.AGREED
        visit.save()
        audit.record("visit_date_accepted", request=request, actor=by, obj=visit)
        _tell_school(
            visit,
            *_agreed_message(visit),
        )
    return visit


def _agreed_message(visit: Visit) -> tuple[str, str]:
    with override("id"):
        return (
            _("Visit agreed: %(school)s on %(date)s")
            % {"school": visit.school.name, "date": _day(visit.date)},
            _("The programme accepted your date: the PEKSOS visit to %(school)s is on %(date)s.")
            % {"school": visit.school.name, "date": _day(visit.date)},
        )


def visit_suggest(*, visit: Visit, day: date, reason: str, by: User, request=None) -> Visit:
    """The programme answers the school's date with another one (the school answers again)."""
    with transaction.atomic():
        visit = _locked(visit)
        _require(visit, State.PROPOSED)
        change = _pending(visit)
        if change is None:
            raise Refusal([_("No date proposed by the school is waiting.")])
        check = checks.check_visit(visit, day, checks.current_team(visit))
        if not check.ok:
            raise Refusal(check.errors)
        _answer(change, DateChange.State.DECLINED, by)
        DateChange.objects.create(
            visit=visit,
            kind=DateChange.Kind.SUGGEST,
            from_date=visit.date,
            to_date=day,
            reason=reason,
            state=DateChange.State.APPLIED,
            proposed_by=by,
        )
        visit.set_date(day)
        visit.save()
        audit.record("visit_date_suggested", request=request, actor=by, obj=visit)
        with override("id"):
            _tell_school(
                visit,
                _("Another date proposed for the PEKSOS visit to %(school)s")
                % {"school": visit.school.name},
                _(
                    "The programme cannot come on the date you proposed and suggests %(date)s.\n"
                    "Reason: %(reason)s\nOpen PEKSOS (menu Kunjungan) to accept it or propose "
                    "another date."
                )
                % {"date": _day(day), "reason": reason},
            )
    return visit


def visit_done(*, visit: Visit, by: User, request=None) -> Visit:
    """The visit took place: written down on the school (last visit) and its priority
    recomputed, in the same transaction (docs/design.md §1)."""
    with transaction.atomic():
        visit = _locked(visit)
        _require(visit, State.AGREED)
        if visit.date > timezone.localdate():
            raise Refusal([_("A visit can be marked done on or after its date.")])
        visit.state, visit.done_at, visit.done_by = State.DONE, timezone.now(), by
        visit.save(update_fields=["state", "done_at", "done_by", "updated_at"])
        School.objects.filter(pk=visit.school_id).filter(
            Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=visit.date)
        ).update(last_visit_on=visit.date)
        priority.recompute(School.objects.filter(pk=visit.school_id))
        audit.record("visit_done", request=request, actor=by, obj=visit)
    return visit


def visit_cancel(*, visit: Visit, reason: str, by: User, request=None) -> Visit:
    with transaction.atomic():
        visit = _locked(visit)
        _require(visit, State.PROPOSED, State.AGREED)
        visit.state, visit.cancel_reason = State.CANCELLED, reason
        visit.save(update_fields=["state", "cancel_reason", "updated_at"])
        _answer(_pending(visit), DateChange.State.DECLINED, by)
        audit.record("visit_cancelled", request=request, actor=by, obj=visit)
        with override("id"):
            subject = _("PEKSOS visit to %(school)s on %(date)s cancelled") % {
                "school": visit.school.name,
                "date": _day(visit.date),
            }
            body = _("The visit was cancelled. Reason: %(reason)s") % {"reason": reason}
            _tell_school(visit, subject, body)
            _tell_staff(visit, subject, body)
    return visit


def remind_tomorrows_visits(today: date | None = None) -> int:
    """One reminder e-mail per agreed visit of tomorrow, to its team. Each visit is claimed
    with a conditional UPDATE, so a task run twice (or two workers) reminds once."""
    today = today or timezone.localdate()
    tomorrow = today + timedelta(days=1)
    sent = 0
    due = Visit.objects.filter(
        state=State.AGREED, date=tomorrow, reminder_sent_on__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            claimed = Visit.objects.filter(pk=pk, reminder_sent_on__isnull=True).update(
                reminder_sent_on=today
            )
            if not claimed:
                continue
            visit = Visit.objects.select_related("school__kecamatan").get(pk=pk)
            team = _people(User.objects.filter(visit_memberships__visit=visit))
            with override("id"):
                _send(
                    team,
                    _("Reminder: PEKSOS visit to %(school)s tomorrow")
                    % {"school": visit.school.name},
                    _("Tomorrow, %(date)s, you visit %(school)s (Kecamatan %(kecamatan)s).")
                    % {
                        "date": _day(visit.date),
                        "school": visit.school.name,
                        "kecamatan": visit.school.kecamatan.name,
                    },
                    _visit_url(visit),
                )
            sent += 1
    return sent


# --- staff: capacity, leave, calendar feed ------------------------------------------------------


def capacity_save(
    *, user: User, per_day: int, per_week: int, weekdays_off: list[int], by: User, request=None
) -> StaffCapacity:
    with transaction.atomic():
        capacity, _created = StaffCapacity.objects.update_or_create(
            user=user,
            defaults={
                "per_day": per_day,
                "per_week": per_week,
                "weekdays_off": sorted(weekdays_off),
                "updated_by": by,
            },
        )
        audit.record("staff_capacity_saved", request=request, actor=by, obj=capacity)
    return capacity


def leave_add(
    *, user: User, starts_on: date, ends_on: date, reason: str, by: User, request=None
) -> StaffLeave:
    with transaction.atomic():
        leave = StaffLeave.objects.create(
            user=user, starts_on=starts_on, ends_on=ends_on, reason=reason, created_by=by
        )
        audit.record("staff_leave_added", request=request, actor=by, obj=leave)
    return leave


def leave_delete(*, leave: StaffLeave, by: User, request=None) -> None:
    with transaction.atomic():
        audit.record("staff_leave_deleted", request=request, actor=by, obj=leave)
        leave.delete()


def feed_token_issue(*, user: User, request=None) -> str:
    """A new secret feed URL token for `user`; the old one stops working. Returns the token
    (only its hash is stored)."""
    with transaction.atomic():
        feed_token_revoke(user=user, request=None, record=False)
        token, raw = CalendarFeedToken.issue(user)
        audit.record("calendar_feed_issued", request=request, actor=user, obj=token)
    return raw


def feed_token_revoke(*, user: User, request=None, record: bool = True) -> int:
    with transaction.atomic():
        n = CalendarFeedToken.objects.active().filter(user=user).update(revoked_at=timezone.now())
        if record:
            audit.record(
                "calendar_feed_revoked",
                request=request,
                actor=user,
                object_type="activities.calendarfeedtoken",
            )
    return n
