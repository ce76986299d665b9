from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = _("Schools")

    def ready(self) -> None:
        from peksos.core import tallies

        from .figures import FIGURE

        tallies.register(FIGURE)
        post_migrate.connect(_fill_tallies, sender=self)


def _fill_tallies(sender, using="default", **kwargs) -> None:
    """A register migrated to the tallies (or restored without them) counts its figures
    once, at `migrate`: nobody meets a dashboard of zeros after a deployment."""
    from . import tallies_check

    tallies_check.fill_if_empty(using)
