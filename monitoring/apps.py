from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring of children")

    def ready(self) -> None:
        from visits import sections

        from . import checks  # noqa: F401 (registers the system checks)
        from .follow_up import visit_section

        sections.register("monitoring/visit_follow_up_section.html", visit_section)
