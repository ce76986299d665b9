from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SosdeskConfig(AppConfig):
    name = "sosdesk"
    verbose_name = _("SOS Desk")

    def ready(self) -> None:
        from peksos.core import tallies
        from visits import sections

        from . import deadline_tallies, figure_tallies
        from .visit_section import visit_section

        # The whole register's SOS Desk figures, kept current by every write (issue #22).
        tallies.register(figure_tallies.FIGURE)
        tallies.register(deadline_tallies.FIGURE)

        # A follow-up visit's page names its case only to those who may open the case.
        sections.register("sosdesk/visit_follow_up_section.html", visit_section)
