from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from peksos.core import tallies
        from visits import sections

        from .figures import FIGURE
        from .views.activities import visit_activities

        sections.register("activities/activity_visit_section.html", visit_activities)
        tallies.register(FIGURE)
