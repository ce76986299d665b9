"""The case's protection and retention, as rows (app label `sosdesk`, imported at the end of
sosdesk/models.py; the case is named by string so this module imports nothing of it).

- `CaseHandler`: a person named to handle a case that the school's desk may not see: a case
  the reporter sent to the Dinas Sosial only, or one staff restricted. Named by a Koordinator.
- `CaseRecusal`: a desk member (or PEKSOS) set aside from one case; they lose access at once.
- `CaseDestruction`: what is left of a closed case destroyed after its retention period
  (sosdesk/retention.py): what, when, by which rule, and coarse fields for the figures.

Who may do what is in sosdesk/permissions.py; the steps in sosdesk/protection/services.py.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseHandler(models.Model):
    case = models.ForeignKey("sosdesk.Case", on_delete=models.CASCADE, related_name="handlers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("named handler")
        verbose_name_plural = _("named handlers")
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_handler_once")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.user_id}"


class CaseRecusal(models.Model):
    case = models.ForeignKey("sosdesk.Case", on_delete=models.CASCADE, related_name="recusals")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recused person"),
        on_delete=models.PROTECT,
        related_name="case_recusals",
    )
    reason = models.CharField(_("reason"), max_length=300)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_recusal_once")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.user_id}"


class CaseDestruction(models.Model):
    """A destroyed case: no text, no code a reporter could match, no person."""

    case_uuid = models.UUIDField(_("case"), unique=True, default=uuid.uuid4)
    destroyed_at = models.DateTimeField(_("destroyed"), default=timezone.now)
    rule = models.CharField(_("rule"), max_length=200)
    school_id = models.IntegerField(_("school"), null=True)
    received_month = models.DateField(_("received (month)"))
    closed_month = models.DateField(_("closed (month)"))
    forms = models.JSONField(_("forms of violence"), default=list)
    outcome = models.CharField(_("outcome"), max_length=16, blank=True)
    files = models.PositiveIntegerField(_("files destroyed"), default=0)

    class Meta:
        verbose_name = _("destroyed case")
        verbose_name_plural = _("destroyed cases")
        ordering = ["-destroyed_at", "case_uuid"]

    def __str__(self) -> str:
        return f"{self.case_uuid} {self.destroyed_at:%Y-%m-%d}"
