"""The PPKSP procedure page of a case (`/kasus/<code>/prosedur/`) and the summary on the case
page. Handlers only: the school's desk officers, its PEKSOS and Koordinators (a referred
psychologist 403, everyone else 404, through `sosdesk.permissions.get_case_for_user`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from peksos.accounts.models import Role
from peksos.core import audit

from ..models import Case
from ..procedure.conclusion import can_approve_conclusion, chair_member
from ..procedure.forms import (
    AssignPeksosForm,
    ConclusionForm,
    DecisionForm,
    DocumentForm,
    EvidenceForm,
    ExecutionForm,
    InterviewHeldForm,
    InterviewPlanForm,
    MoveSchoolForm,
    PartyForm,
    RecoveryTaskForm,
    RevealForm,
    TaskDoneForm,
)
from ..procedure.handover import current_peksos
from ..procedure.models import Conclusion
from ..procedure.overview import load
from ..procedure.sections import sections_for
from .cases import _get_case


def render_procedure(
    request: HttpRequest, case: Case, *, status: int = 200, **bound_forms
) -> HttpResponse:
    """The page (also re-rendered with a form's errors): one `case_procedure_viewed` row."""
    user = request.user
    audit.record("case_procedure_viewed", request=request, obj=case)
    data = load(case)
    conclusion = data["conclusion"]
    approved = conclusion is not None and conclusion.is_approved
    section_templates, section_context = sections_for(case, user)
    forms = {}
    if case.is_open:
        forms = {
            "party_form": PartyForm(),
            "interview_form": InterviewPlanForm(parties=data["parties"])
            if data["parties"]
            else None,
            "held_form": InterviewHeldForm() if not approved else None,
            "evidence_form": EvidenceForm() if not approved else None,
            "conclusion_form": ConclusionForm(initial=_initial(conclusion))
            if not approved
            else None,
            "decision_form": DecisionForm() if approved else None,
            "execution_form": ExecutionForm(),
            "task_form": RecoveryTaskForm(),
            "done_form": TaskDoneForm(),
            "move_form": MoveSchoolForm(),
            "assign_form": AssignPeksosForm(school=case.school)
            if user.role == Role.KOORDINATOR
            else None,
            "document_form": DocumentForm(),
        }
    forms["reveal_form"] = RevealForm()
    forms.update(bound_forms)
    context = {
        "case": case,
        **data,
        **forms,
        "approved": approved,
        "can_approve": conclusion is not None
        and not approved
        and case.is_open
        and can_approve_conclusion(user, case),
        "chair": chair_member(case),
        "peksos": current_peksos(case),
        "handovers": list(
            case.handovers.select_related(
                "by", "from_school", "to_school", "from_peksos", "to_peksos"
            )
        ),
        "documents": list(case.documents.select_related("requested_by")[:10]),
        "section_templates": section_templates,
        **section_context,
    }
    return render(request, "sosdesk/procedure/procedure.html", context, status=status)


def _initial(conclusion: Conclusion | None) -> dict:
    if conclusion is None:
        return {}
    fields = ("finding", "sanction_level", "sanction", "victim_recovery", "continued_schooling")
    return {f: getattr(conclusion, f) for f in (*fields, "reasoning")}


@require_safe
@login_required
def case_procedure(request: HttpRequest, code: str) -> HttpResponse:
    return render_procedure(request, _get_case(request, code, write=True))
