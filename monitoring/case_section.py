"""The section monitoring adds to an SOS Desk case's procedure page (registered in
MonitoringConfig.ready, `sosdesk.procedure.sections`): the children's records opened from the
case that the user may see, with their progress. Never the child's name: the record's code,
status, whether the support plan is approved, and how many progress notes and when the last."""

from django.db.models import Count, Max

from .permissions import children_visible_to


def case_section_context(case, user) -> dict:
    records = (
        children_visible_to(user)
        .filter(case=case)
        .select_related("plan")
        .annotate(note_count=Count("notes"), last_note_at=Max("notes__created_at"))
        .defer("name", "guardian_contact")
        .order_by("created_at", "code")
    )
    return {"monitoring_records": list(records)}
