from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring of children")

    def ready(self) -> None:
        from peksos.core import tallies
        from sosdesk.procedure import sections as case_sections
        from visits import sections as visit_sections

        from . import checks  # noqa: F401 (registers the system checks)
        from .case_section import case_section_context
        from .figures import FIGURE
        from .follow_up import visit_section

        visit_sections.register("monitoring/visit_follow_up_section.html", visit_section)
        # The case's procedure page shows the children's records opened from the case.
        case_sections.register("monitoring/case_section.html", case_section_context)
        tallies.register(FIGURE)
