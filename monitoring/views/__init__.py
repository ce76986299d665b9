"""Monitoring of children: the caseload list, opening a record, a record's page, revealing the
name, and the actions on a record (each a POST to its own URL).

Every record is fetched through `monitoring.permissions` (hidden: 404; visible but not
allowed: 403); every look at a record is one `child_record_viewed` audit row, every reveal of
the name one `child_name_revealed` row, every refused attempt one
`child_record_access_denied` row. Actions validate a form, call one service, add a message and
redirect to the record; a step the service refuses comes back as a message, a form error
re-renders the record's page with the error and what was typed.
"""

from .consent import consent_add, consent_form_file, consent_override, consent_withdraw
from .observations import (
    observation_cancel,
    observation_fill,
    observation_list,
    observation_request,
)
from .progress import (
    goal_add,
    goal_score,
    intervention_add,
    note_add,
    plan_approve,
    plan_save,
    sdq_add,
    wellbeing_add,
)
from .records import (
    record_close,
    record_close_approve,
    record_close_reject,
    record_create,
    record_detail,
    record_list,
    record_refer,
    record_reveal,
)

__all__ = [
    "consent_add",
    "consent_form_file",
    "consent_override",
    "consent_withdraw",
    "goal_add",
    "goal_score",
    "intervention_add",
    "note_add",
    "observation_cancel",
    "observation_fill",
    "observation_list",
    "observation_request",
    "plan_approve",
    "plan_save",
    "record_close",
    "record_close_approve",
    "record_close_reject",
    "record_create",
    "record_detail",
    "record_list",
    "record_refer",
    "record_reveal",
    "sdq_add",
    "wellbeing_add",
]
