"""What a case's procedure holds, read once for its page and for the summary on the case page
(names and interview summaries are not decrypted here)."""

from ..models import Case
from . import clocks as step_clocks
from .handover import current_peksos
from .models import Conclusion
from .parties import parties_masked


def load(case: Case) -> dict:
    """The procedure's records of a case (names and summaries not decrypted)."""
    parties = parties_masked(case)
    labels = {p.pk: p.label for p in parties}
    interviews = list(case.interviews.defer("summary").order_by("planned_at", "id"))
    for interview in interviews:
        interview.party_label = labels.get(interview.party_id, "")
    conclusion = Conclusion.objects.filter(case=case).select_related("approved_by").first()
    decisions = list(case.decisions.all())
    tasks = list(case.recovery_tasks.all())
    return {
        "parties": parties,
        "interviews": interviews,
        "evidence": list(case.evidence.all()),
        "conclusion": conclusion,
        "decisions": decisions,
        "tasks": tasks,
        "step_clocks": step_clocks.case_clocks(case, conclusion, decisions, tasks),
    }


def summary_context(case: Case) -> dict:
    """The procedure's summary on the case page (handlers only)."""
    data = load(case)
    return {
        "procedure": {
            "parties": len(data["parties"]),
            "interviews_held": sum(1 for i in data["interviews"] if i.held_at),
            "interviews": len(data["interviews"]),
            "conclusion": data["conclusion"],
            "decisions": len(data["decisions"]),
            "tasks_open": sum(1 for t in data["tasks"] if not t.done_on),
            "step_clocks": data["step_clocks"],
            "overdue": any(c.overdue for c in data["step_clocks"]),
            "next_clock": next((c for c in data["step_clocks"] if not c.done), None),
            "peksos": current_peksos(case),
        }
    }
