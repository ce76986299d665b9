"""Who may use the participant side of activities (knowledge tests, feedback, door-prize
draws). Which activities a user sees, and who changes one, is `activities.permissions`
(`activities_visible_to`, `can_edit_activity`); this adds what is particular here:

- Question sets are kept by the Koordinator, PEKSOS and psychologists (they teach the
  sessions); the pendamping reads them; school-side roles have no question-set pages.
- Individual answers (each attempt's score, each comment with its date) are for programme
  staff (Koordinator, PEKSOS, psikolog, pendamping) of the activities they see.
- The principal and the SOS Desk officers of a school see aggregate figures of its activities
  only, and nothing at all when fewer than 5 people answered (the suppression rule of
  DOMAIN.md §5): with so few answers a mean or a comment points at a person.
- Teachers, parents and the public use only the participant forms, through the activity's
  link (/ikut/<code>/...), which accept answers only while the activity's forms are open.
"""

from django.core.exceptions import PermissionDenied

from peksos.accounts.models import Role, User

from .permissions import PROGRAMME_STAFF

QUESTION_SET_EDITORS = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG})
QUESTION_SET_READERS = PROGRAMME_STAFF
SMALL_SAMPLE = 5


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def can_edit_question_sets(user: User) -> bool:
    return _active(user) and user.role in QUESTION_SET_EDITORS


def require_question_set_reader(user: User) -> None:
    if not _active(user) or user.role not in QUESTION_SET_READERS:
        raise PermissionDenied


def sees_individual_answers(user: User) -> bool:
    return _active(user) and user.role in PROGRAMME_STAFF


def hidden_for(user: User, n: int) -> bool:
    """Whether figures from `n` answers are withheld from this user (small sample)."""
    return not sees_individual_answers(user) and n < SMALL_SAMPLE


def knowledge_stats_for(user: User, stats: dict) -> dict | None:
    """The knowledge-test figures this user may read: all of them for programme staff; for
    school-side roles None when fewer than 5 people took either test, else the figures with
    each part resting on fewer than 5 answers withheld (shown as "<5")."""
    if sees_individual_answers(user):
        return stats
    if max(stats["pre_n"], stats["post_n"]) < SMALL_SAMPLE:
        return None
    shown = dict(stats)
    for phase in ("pre", "post"):
        if stats[f"{phase}_n"] < SMALL_SAMPLE:
            shown[f"{phase}_n"] = f"<{SMALL_SAMPLE}"
            shown[f"{phase}_mean"] = None
            shown["gain"] = None
    if stats["pairs"] < SMALL_SAMPLE:
        shown["pairs_hidden"] = bool(stats["pairs"])  # the count is shown as "<5"
        shown["paired_gain"] = None
    return shown
