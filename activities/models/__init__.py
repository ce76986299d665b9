"""The activities app's models: the activities held during visits with their attendance
(sessions.py), photos, and the participant side (knowledge tests, feedback, door-prize draws).
Visits themselves are the visits app's."""

from .draw import MAX_PRIZE_UNITS, Draw, Prize  # noqa: F401
from .feedback import Feedback  # noqa: F401
from .knowledge import (  # noqa: F401
    MAX_CHOICES,
    MAX_QUESTIONS,
    ActivityTest,
    KnowledgeAttempt,
    Question,
    QuestionSet,
)
from .photos import ActivityPhoto, ActivityPhotoQuerySet  # noqa: F401
from .sessions import (  # noqa: F401
    ADULT_GROUPS,
    PUPIL_GROUPS,
    SUB_ACTIVITIES,
    TIER_OF_KIND,
    Activity,
    AttendanceCount,
    Attendee,
    ParticipantGroup,
    Sex,
    Tier,
    sub_activity_choices,
)
