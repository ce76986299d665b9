from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Consultation forum")

    def ready(self) -> None:
        from peksos.core import tallies

        from .figures import FIGURE

        tallies.register(FIGURE)
