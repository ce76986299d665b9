"""Activity workflows (manual Bab 2): plan, record what happened, the named attendance list,
self check-in, documentation photos, and the reach figures for the impact reports.

Every write that matters is one transaction with its audit row. A step the rules refuse raises
`Refusal` (peksos.core.refusals) with a message for the person; nothing is written then.
"""

from collections import Counter
from datetime import time

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from peksos.accounts.models import User
from peksos.core import audit, tallies
from peksos.core.idempotency import create_once
from peksos.core.refusals import Refusal
from peksos.core.uploads import CleanUpload
from visits.models import Visit

from ..models import (
    TIER_OF_KIND,
    Activity,
    ActivityPhoto,
    AttendanceCount,
    Attendee,
    ParticipantGroup,
    Sex,
    Tier,
)

# A leaked check-in link must not flood the list: at most this many self check-ins per
# activity (a school hall holds fewer adults), and one per device.
MAX_SELF_CHECKINS = 300
MAX_ATTENDEES = 1000  # staff and self check-ins together
MAX_PHOTOS = 60


# --- planning -------------------------------------------------------------------------------


def activity_create(
    *,
    visit: Visit,
    kind: str,
    sub_activities: list[str],
    audiences: list[str],
    facilitators: list[User],
    date,
    start_time: time | None = None,
    title: str = "",
    materials: str = "",
    idempotency_key=None,
    by: User,
    request=None,
) -> tuple[Activity, bool]:
    """Plan an activity on a visit; returns (activity, created). The same form sent twice
    (same idempotency key) returns the first activity."""
    earlier = (
        Activity.objects.filter(idempotency_key=idempotency_key, visit=visit)
        if idempotency_key
        else None
    )
    activity = Activity(
        visit=visit,
        school_id=visit.school_id,
        kind=kind,
        tier=TIER_OF_KIND.get(kind, Tier.UNIVERSAL),
        title=title,
        sub_activities=list(sub_activities),
        audiences=list(audiences),
        materials=materials,
        date=date,
        start_time=start_time,
        created_by=by,
        idempotency_key=idempotency_key or None,
    )

    def plan() -> Activity:
        activity.save(force_insert=True)
        activity.facilitators.set(facilitators)
        audit.record("activity_planned", request=request, actor=by, obj=activity)
        return activity

    return create_once(earlier, plan)


def activity_update(*, activity: Activity, data: dict, by: User, request=None) -> Activity:
    """Change the plan (type, sub-activities, audiences, facilitators, materials, date)."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        activity.kind = data["kind"]
        activity.tier = TIER_OF_KIND.get(activity.kind, Tier.UNIVERSAL)
        activity.title = data.get("title", "")
        activity.sub_activities = list(data["sub_activities"])
        activity.audiences = list(data["audiences"])
        activity.materials = data.get("materials", "")
        activity.date = data["date"]
        activity.start_time = data.get("start_time")
        activity.save()
        activity.facilitators.set(data["facilitators"])
        audit.record("activity_changed", request=request, actor=by, obj=activity)
    return activity


# --- recording ------------------------------------------------------------------------------


def activity_record(
    *,
    activity: Activity,
    state: str,
    counts: dict[tuple[str, str], int],
    duration_minutes: int | None = None,
    notes: str = "",
    cancel_reason: str = "",
    by: User,
    request=None,
) -> Activity:
    """Record what happened. Held: duration, notes and the attendance counts (group x sex;
    rows of 0 are not stored). Cancelled: the reason; counts are cleared."""
    if state not in (Activity.State.HELD, Activity.State.CANCELLED):
        raise Refusal(_("Choose whether the activity was held or cancelled."))
    if state == Activity.State.HELD and activity.date > timezone.localdate():
        raise Refusal(_("An activity can be recorded as held on its day or after."))
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        activity.state = state
        activity.notes = notes
        if state == Activity.State.HELD:
            activity.duration_minutes = duration_minutes
            activity.cancel_reason = ""
        else:
            activity.cancel_reason = cancel_reason
            activity.participant_forms_open = False
        activity.recorded_by = by
        activity.recorded_at = timezone.now()
        activity.save()
        AttendanceCount.objects.filter(activity=activity).delete()
        if state == Activity.State.HELD:
            AttendanceCount.objects.bulk_create(
                AttendanceCount(activity=activity, group=group, sex=sex, count=count)
                for (group, sex), count in counts.items()
                if count
            )
        # The counts were replaced by queryset writes, after the activity's own save.
        tallies.changed(Activity.tally_domains, [activity.school_id])
        audit.record(
            "activity_held" if state == Activity.State.HELD else "activity_cancelled",
            request=request,
            actor=by,
            obj=activity,
        )
    return activity


def set_participant_forms(*, activity: Activity, open_: bool, by: User, request=None) -> Activity:
    """Open or close the participant forms (check-in; the tests and feedback use it too)."""
    if open_ and activity.state == Activity.State.CANCELLED:
        raise Refusal(_("The activity was cancelled: its forms cannot be opened."))
    with transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(participant_forms_open=open_)
        activity.participant_forms_open = open_
        audit.record(
            "activity_forms_opened" if open_ else "activity_forms_closed",
            request=request,
            actor=by,
            obj=activity,
        )
    return activity


def attendance_grid(activity: Activity, rows=None) -> dict:
    """The counts as a grid for pages: rows per group with L, P and total, and the totals.
    `rows` may be the activity's prefetched attendance rows."""
    rows = list(activity.attendance.all()) if rows is None else rows
    cells = {(row.group, row.sex): row.count for row in rows}
    grid = []
    totals = Counter()
    for group in ParticipantGroup:
        by_sex = [cells.get((group.value, sex.value), 0) for sex in Sex]
        if not any(by_sex):
            continue
        for sex, count in zip(Sex, by_sex, strict=True):
            totals[sex.value] += count
        grid.append({"label": group.label, "counts": by_sex, "total": sum(by_sex)})
    return {
        "rows": grid,
        "totals": [totals[sex.value] for sex in Sex],
        "total": sum(totals.values()),
    }


# --- the named list and self check-in --------------------------------------------------------


def attendee_add(
    *, activity: Activity, name: str, group: str, sex: str = "", by: User, request=None
) -> Attendee:
    with transaction.atomic():
        Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if activity.attendees.count() >= MAX_ATTENDEES:
            raise Refusal(_("The attendance list is full."))
        attendee = Attendee.objects.create(
            activity=activity,
            name=name,
            group=group,
            sex=sex,
            source=Attendee.Source.STAFF,
            entered_by=by,
        )
        audit.record("activity_attendee_added", request=request, actor=by, obj=activity)
    return attendee


def attendee_remove(*, attendee: Attendee, by: User, request=None) -> None:
    activity = attendee.activity
    with transaction.atomic():
        attendee.delete()
        audit.record("activity_attendee_removed", request=request, actor=by, obj=activity)


def device_hash(activity: Activity, device_token: str) -> str:
    """What is stored of a phone's random cookie: a keyed hash, per activity."""
    return salted_hmac(
        "activities.checkin", f"{activity.pk}:{device_token}", algorithm="sha256"
    ).hexdigest()


def checked_in(activity: Activity, device_token: str | None) -> Attendee | None:
    if not device_token:
        return None
    return activity.attendees.filter(device_hash=device_hash(activity, device_token)).first()


def self_check_in(
    *, activity: Activity, name: str, group: str, sex: str, device_token: str
) -> tuple[Attendee, bool]:
    """An adult checks in on their phone: (attendee, created). A device that already checked in
    gets its first check-in back. Refused when the forms are closed or the list is full."""
    hashed = device_hash(activity, device_token)
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if not locked.participant_forms_open or locked.state == Activity.State.CANCELLED:
            raise Refusal(_("Check-in for this activity is closed."))
        existing = locked.attendees.filter(device_hash=hashed).first()
        if existing:
            return existing, False
        if locked.attendees.filter(source=Attendee.Source.SELF).count() >= MAX_SELF_CHECKINS:
            raise Refusal(
                _("The attendance list of this activity is full. Please tell the organisers.")
            )
        try:
            with transaction.atomic():
                attendee = Attendee.objects.create(
                    activity=locked,
                    name=name,
                    group=group,
                    sex=sex,
                    source=Attendee.Source.SELF,
                    device_hash=hashed,
                )
        except IntegrityError:
            return locked.attendees.get(device_hash=hashed), False
        audit.record(
            "activity_self_check_in",
            actor=None,
            object_type="activities.attendee",
            object_id=str(attendee.pk),
            keep_address=False,
        )
    return attendee, True


# --- photos ---------------------------------------------------------------------------------


def photo_add(
    *,
    activity: Activity,
    upload: CleanUpload,
    caption: str,
    shows_children: bool,
    consent_recorded: bool,
    by: User,
    request=None,
) -> ActivityPhoto:
    with transaction.atomic():
        Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if activity.photos.count() >= MAX_PHOTOS:
            raise Refusal(_("This activity already has the most photos allowed."))
        photo = ActivityPhoto(
            activity=activity,
            display_name=upload.display_name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            caption=caption,
            shows_children=shows_children,
            consent_recorded=shows_children and consent_recorded,
            uploaded_by=by,
        )
        photo.file.save(upload.storage_name, upload.as_file(), save=False)
        try:
            photo.save()
            audit.record("activity_photo_added", request=request, actor=by, obj=photo)
        except Exception:
            photo.file.delete(save=False)
            raise
    return photo


def photo_delete(*, photo: ActivityPhoto, by: User, request=None) -> None:
    activity = photo.activity
    stored = photo.file.name
    storage = photo.file.storage
    with transaction.atomic():
        photo.delete()
        audit.record("activity_photo_deleted", request=request, actor=by, obj=activity)
        transaction.on_commit(lambda: storage.delete(stored))


# --- reach figures for the impact reports ------------------------------------------------------


def reach_summary(activities_qs: QuerySet[Activity]) -> dict:
    """The reach of the given activities, for the impact reports (reports/).

    Only activities recorded as held count towards reach; the activity counts are given for
    every state. Three queries, whatever the number of activities.

    Returns::

        {
            "activities": {"total": int, "held": int, "planned": int, "cancelled": int},
            "by_kind": {kind: {"label": str, "tier": int, "held": int, "total": int}},
                # every Visit.Kind value ("kampanye", "pelatihan", "one_day"), zeros included
            "by_tier": {tier: {"label": str, "held": int, "total": int}},   # tiers 1, 2, 3
            "by_group": {group: {"label": str, "L": int, "P": int, "total": int}},
                # every ParticipantGroup value ("siswa_sd", "guru", ...), zeros included
            "by_sex": {"L": int, "P": int},
            "pupils": int,   # the pupil groups together
            "adults": int,   # teachers, parents, other school staff together
            "total": int,    # everyone counted
            "schools_reached": int,  # distinct schools with a held activity
        }
    """
    from ..models import PUPIL_GROUPS

    states = Counter()
    by_kind = {
        kind.value: {
            "label": str(kind.label),
            "tier": int(TIER_OF_KIND[kind]),
            "held": 0,
            "total": 0,
        }
        for kind in Visit.Kind
    }
    by_tier = {tier.value: {"label": str(tier.label), "held": 0, "total": 0} for tier in Tier}
    rows = activities_qs.order_by().values("kind", "tier", "state").annotate(n=Count("pk"))
    for row in rows:
        states[row["state"]] += row["n"]
        held = row["n"] if row["state"] == Activity.State.HELD else 0
        if row["kind"] in by_kind:
            by_kind[row["kind"]]["total"] += row["n"]
            by_kind[row["kind"]]["held"] += held
        if row["tier"] in by_tier:
            by_tier[row["tier"]]["total"] += row["n"]
            by_tier[row["tier"]]["held"] += held
    held_qs = activities_qs.filter(state=Activity.State.HELD)
    by_group = {
        group.value: {"label": str(group.label), "L": 0, "P": 0, "total": 0}
        for group in ParticipantGroup
    }
    by_sex = {sex.value: 0 for sex in Sex}
    counts = (
        AttendanceCount.objects.filter(activity__in=held_qs.values("pk"))
        .values("group", "sex")
        .annotate(n=Sum("count"))
    )
    for row in counts:
        if row["group"] not in by_group or row["sex"] not in by_sex:
            continue
        by_group[row["group"]][row["sex"]] += row["n"] or 0
        by_group[row["group"]]["total"] += row["n"] or 0
        by_sex[row["sex"]] += row["n"] or 0
    pupils = sum(v["total"] for k, v in by_group.items() if k in PUPIL_GROUPS)
    total = sum(by_sex.values())
    schools = held_qs.order_by().values("school_id").distinct().count()
    return {
        "activities": {
            "total": sum(states.values()),
            "held": states[Activity.State.HELD],
            "planned": states[Activity.State.PLANNED],
            "cancelled": states[Activity.State.CANCELLED],
        },
        "by_kind": by_kind,
        "by_tier": by_tier,
        "by_group": by_group,
        "by_sex": by_sex,
        "pupils": pupils,
        "adults": total - pupils,
        "total": total,
        "schools_reached": schools,
    }
