"""The activities app's models: visits and their planning (visits.py), and the activities held
during visits with their attendance (sessions.py). Further modules add the participant side."""

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
from .visits import (  # noqa: F401
    DEFAULT_PER_DAY,
    DEFAULT_PER_WEEK,
    STAFF_ROLES,
    CalendarFeedToken,
    CalendarFeedTokenQuerySet,
    DateChange,
    PlanRun,
    StaffCapacity,
    StaffLeave,
    Visit,
    VisitMember,
    VisitQuerySet,
    school_year_of,
    semester_bounds,
    semester_of,
)
