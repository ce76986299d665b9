from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        from peksos.core import tallies

        from .figures import COMPLIANCE_FIGURE, VISITS_FIGURE

        tallies.register(VISITS_FIGURE)
        tallies.register(COMPLIANCE_FIGURE)
