"""Follow-up visits of a child's record (issue 18): the record's PEKSOS or a Koordinator opens
the by-hand visit form of the visits app with the record's school and the origin
"anak:<record code>" (the same `asal=` reference a case uses; the code, never the child's
name). The visit names the record in its `origin` (visits may not import monitoring); this
module reads the link back both ways:

- the record's page lists the visits whose origin names it, at the record's school, among the
  visits the reader may see;
- a visit's page shows "follow-up of a child record" only to those who may see that record
  (a section registered with `visits.sections`), and only for a record of the visit's school
  (a typed origin of another school's record links nothing).
"""

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from peksos.accounts.models import User
from visits.models import Visit
from visits.permissions import schools_for_new_visit, visits_visible_to

from .models import ChildRecord
from .permissions import can_manage, children_visible_to


def origin_of(record: ChildRecord) -> str:
    return f"{Visit.ORIGIN_CHILD}{record.code}"


def can_plan_follow_up(user: User, record: ChildRecord) -> bool:
    """An open record's PEKSOS (serving its school) or a Koordinator, who may add visits to
    the record's school."""
    return (
        record.is_open
        and can_manage(user, record)
        and schools_for_new_visit(user).filter(pk=record.school_id).exists()
    )


def new_visit_url(record: ChildRecord) -> str:
    """The by-hand visit form, prefilled with the school and the origin."""
    query = urlencode({"sekolah": record.school.npsn, "asal": origin_of(record)})
    return f"{reverse('visits:visit-create')}?{query}"


def follow_up_visits(record: ChildRecord, user: User) -> QuerySet[Visit]:
    """The visits following up this record that the user may see, in date order."""
    return (
        visits_visible_to(user)
        .filter(origin=origin_of(record), school_id=record.school_id)
        .order_by("date", "id")
    )


def visit_section(visit: Visit, user: User) -> dict:
    """The context of the visit page's section: the record followed up, if the user may see
    it (nothing otherwise, not even that there is one)."""
    code = visit.child_code
    if not code:
        return {"followed_child": None}
    record = (
        children_visible_to(user)
        .filter(code=code, school_id=visit.school_id)
        .only("code", "school_id")
        .first()
    )
    return {"followed_child": record}


def record_context(record: ChildRecord, user: User) -> dict:
    """What the record's page shows of its follow-up visits, and whether it offers one."""
    return {
        "follow_up_visits": list(follow_up_visits(record, user)),
        "can_plan_follow_up": can_plan_follow_up(user, record),
    }
