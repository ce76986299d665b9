"""Children receiving Tier 2/3 support: their record, the guardian's consent per purpose, the
support plan with its goals and interventions, progress notes and measures.

Children's data is *specific* personal data (UU PDP Pasal 4; docs/domain.md §5): the record holds
the minimum, the identifying fields (name, guardian's contact) are encrypted at rest
(`crypto.EncryptedTextField`), lists show a random code and initials, and records are
addressed by that code (URLs) or a UUID (audit rows), never by a sequential id.

Measures (docs/domain.md §6): SDQ scores are typed in from paper forms (the questionnaire itself is
licensed and never built into the app); goal attainment scaling (-2..+2) and wellbeing ratings
(0-10) are licence-free.
"""

from .measures import SDQ_TOTAL_MAX, SUBSCALE_MAX, WELLBEING_MAX, SdqScore, WellbeingRating
from .observations import (
    OBSERVATION_DAYS,
    OBSERVATION_MAX_DAYS,
    OBSERVATION_REMIND_AFTER_DAYS,
    ObservationQuerySet,
    ObservationRequest,
)
from .plans import GAS_MAX, GAS_MIN, Goal, GoalScore, Intervention, ProgressNote, SupportPlan
from .records import (
    CHILD_CODE_LENGTH,
    CHILD_CODE_PREFIX,
    CLASS_LEVELS,
    FOLLOW_UP_DAYS,
    WELLBEING_IMPROVEMENT_POINTS,
    ChildRecord,
    ChildRecordQuerySet,
    Consent,
    ConsentQuerySet,
    DestructionRecord,
    GuardianLink,
    GuardianLinkQuerySet,
    consent_form_path,
    initials_of,
    new_child_code,
)

__all__ = [
    "CHILD_CODE_LENGTH",
    "CHILD_CODE_PREFIX",
    "CLASS_LEVELS",
    "FOLLOW_UP_DAYS",
    "GAS_MAX",
    "GAS_MIN",
    "OBSERVATION_DAYS",
    "OBSERVATION_MAX_DAYS",
    "OBSERVATION_REMIND_AFTER_DAYS",
    "SDQ_TOTAL_MAX",
    "SUBSCALE_MAX",
    "WELLBEING_IMPROVEMENT_POINTS",
    "WELLBEING_MAX",
    "ChildRecord",
    "ChildRecordQuerySet",
    "Consent",
    "ConsentQuerySet",
    "DestructionRecord",
    "Goal",
    "GoalScore",
    "GuardianLink",
    "GuardianLinkQuerySet",
    "Intervention",
    "ObservationQuerySet",
    "ObservationRequest",
    "ProgressNote",
    "SdqScore",
    "SupportPlan",
    "WellbeingRating",
    "consent_form_path",
    "initials_of",
    "new_child_code",
]
