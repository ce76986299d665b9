"""The rules a school's TPPK (its SOS Desk) must meet, as pure checks.

Permendikbudristek 46/2023 (docs/domain.md §3): at least 3 members, an odd number, not chaired by
the principal, drawn from teachers, education staff and the school committee/parents, and
appointed by the principal's decree (SK) for a 2-year term. A desk that breaks a rule (an
error) is not a working desk; a term that ends within TERM_WARNING_DAYS is only a warning.

These functions read a desk and its members and write nothing: the services write the
result down on the school (`School.has_sos_desk`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Desk, DeskMember

MIN_MEMBERS = 3
TERM_YEARS = 2
TERM_WARNING_DAYS = 60

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    code: str  # stable, for code and tests; the message is for people
    message: str
    level: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def composition_problems(members: Iterable[DeskMember]) -> list[Problem]:
    """Problems with who is on the team."""
    members = list(members)
    count = len(members)
    problems = []
    if count < MIN_MEMBERS:
        problems.append(
            Problem(
                "too_few",
                ngettext(
                    "The team has %(count)d member; it needs at least %(min)d.",
                    "The team has %(count)d members; it needs at least %(min)d.",
                    count,
                )
                % {"count": count, "min": MIN_MEMBERS},
            )
        )
    if count and count % 2 == 0:
        problems.append(
            Problem(
                "even",
                _("The team has %(count)d members; the number of members must be odd.")
                % {"count": count},
            )
        )
    chairs = [m for m in members if m.is_chair]
    if not chairs:
        problems.append(Problem("no_chair", _("The team has no chair (koordinator TPPK).")))
    elif len(chairs) > 1:
        problems.append(Problem("many_chairs", _("The team has more than one chair.")))
    if any(m.is_principal for m in chairs):
        problems.append(
            Problem("principal_chair", _("The principal may not chair the team (TPPK)."))
        )
    if not any(m.position == DeskMember.Position.COMMITTEE for m in members):
        problems.append(
            Problem(
                "no_committee",
                _("The team needs at least one member from the school committee or the parents."),
            )
        )
    return problems


def term_problems(desk: Desk, today: date | None = None) -> list[Problem]:
    """Problems with the decree (SK) and its term."""
    today = today or timezone.localdate()
    problems = []
    if not desk.sk_number:
        problems.append(Problem("no_sk", _("The principal's decree (SK) number is missing.")))
    if desk.term_start is None or desk.term_end is None:
        problems.append(Problem("no_term", _("The term of the team (start and end) is missing.")))
        return problems
    if desk.term_end < desk.term_start:
        problems.append(Problem("term_order", _("The term ends before it starts.")))
    elif desk.term_start > today:
        problems.append(
            Problem(
                "term_not_started",
                _("The term starts on %(day)s.") % {"day": _format(desk.term_start)},
                WARNING,
            )
        )
    if desk.term_end < today:
        problems.append(
            Problem(
                "term_ended",
                _("The term ended on %(day)s: a new decree (SK) is needed.")
                % {"day": _format(desk.term_end)},
            )
        )
    elif desk.term_end <= today + timedelta(days=TERM_WARNING_DAYS):
        days = (desk.term_end - today).days
        problems.append(
            Problem(
                "term_ending",
                ngettext(
                    "The term ends in %(days)d day (%(day)s): prepare a new decree (SK).",
                    "The term ends in %(days)d days (%(day)s): prepare a new decree (SK).",
                    days,
                )
                % {"days": days, "day": _format(desk.term_end)},
                WARNING,
            )
        )
    return problems


def desk_problems(
    desk: Desk, members: Iterable[DeskMember] | None = None, today: date | None = None
) -> list[Problem]:
    """Every problem of the desk, errors first. `members` defaults to the desk's members
    (pass them when already loaded, to save a query)."""
    if members is None:
        members = desk.members.all() if desk.pk else []
    problems = composition_problems(members) + term_problems(desk, today)
    return sorted(problems, key=lambda p: not p.is_error)


def desk_is_working(
    desk: Desk, members: Iterable[DeskMember] | None = None, today: date | None = None
) -> bool:
    """A working desk breaks no rule (warnings allowed)."""
    return not any(p.is_error for p in desk_problems(desk, members, today))


def _format(day: date) -> str:
    return date_format(day, "j F Y")
