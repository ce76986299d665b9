from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SosdeskConfig(AppConfig):
    name = "sosdesk"
    verbose_name = _("SOS Desk")
