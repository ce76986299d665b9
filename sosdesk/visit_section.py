"""The visit page's line "follow-up of case …" (issue 18), for those who may open the case.

A follow-up visit names its case in `Visit.origin` ("kasus:<code>"; visits may not import the
SOS Desk, docs/design.md §1). Whoever may edit the visit is not therefore allowed to know that
the case exists: a case sent only to the Dinas, restricted, or from which a person is recused
is hidden from the school's accounts. So the line is this app's section of the visit page, and
shows the case only when the reader's own case scope holds it (nothing otherwise, not even that
there is one).
"""

from peksos.accounts.models import User
from visits.models import Visit

from .permissions import cases_visible_to


def visit_section(visit: Visit, user: User) -> dict:
    code = visit.case_code
    if not code:
        return {"followed_case": None}
    case = cases_visible_to(user).filter(code=code).only("code").first()
    return {"followed_case": case}
