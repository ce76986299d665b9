"""What the case's access log (views/cases.py) says for the protection's audit actions."""

from django.utils.translation import gettext_lazy as _

PROTECTION_ACTION_LABELS = {
    "case_protection_viewed": _("opened who may see the case"),
    "case_restricted": _("restricted the case to named handlers"),
    "case_unrestricted": _("lifted the case's restriction"),
    "case_handler_named": _("named a handler of the case"),
    "case_recused": _("recused someone from the case"),
}
