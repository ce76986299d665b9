"""How the case's access log (Koordinators) names the procedure's audit actions."""

from django.utils.translation import gettext_lazy as _

PROCEDURE_ACTION_LABELS = {
    "case_procedure_viewed": _("opened the procedure"),
    "case_party_added": _("recorded a party"),
    "case_party_revealed": _("showed a party's name"),
    "case_interview_planned": _("planned an interview"),
    "case_interview_held": _("recorded an interview"),
    "case_evidence_added": _("recorded evidence"),
    "case_evidence_downloaded": _("downloaded evidence"),
    "case_conclusion_drafted": _("drafted the conclusion"),
    "case_conclusion_approved": _("approved the conclusion"),
    "case_decision_recorded": _("recorded a follow-up decision"),
    "case_decision_executed": _("recorded that a decision was carried out"),
    "case_recovery_planned": _("added a recovery task"),
    "case_recovery_done": _("marked a recovery task done"),
    "case_moved_school": _("moved the case to another school"),
    "case_peksos_assigned": _("gave the case to a PEKSOS"),
    "case_document_requested": _("asked for a document"),
    "case_document_downloaded": _("downloaded a document"),
}
