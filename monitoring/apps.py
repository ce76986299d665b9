from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring of children")

    def ready(self) -> None:
        from sosdesk.procedure import sections

        from . import checks  # noqa: F401 (registers the system checks)
        from .case_section import case_section_context

        # The case's procedure page shows the children's records opened from the case.
        sections.register("monitoring/case_section.html", case_section_context)
