"""Audit log and outbox: the two tables every feature writes in its own transaction."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def delete(self):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Never holds sensitive values.

    Append-only: the model refuses updates and deletes, and a database trigger
    (migration 0002) refuses them for any SQL the application sends.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,  # users are deactivated, never deleted
        related_name="+",
        db_constraint=False,
    )
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        target = f"{self.object_type}#{self.object_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_role} {self.action} {target}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditLogIsAppendOnly("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class OutboxQuerySet(models.QuerySet):
    def due(self) -> "OutboxQuerySet":
        return self.filter(
            state=OutboxMessage.State.PENDING, available_at__lte=timezone.now()
        ).order_by("available_at", "id")


class OutboxMessage(models.Model):
    """A side effect (an e-mail, a task) recorded in the same transaction as its cause.

    `kind` is the name of the Celery task that carries it out. The relay publishes due rows
    (pending -> dispatched); the task claims its row with a conditional UPDATE
    (dispatched -> running) before acting, so a message published twice is acted on once;
    it ends done, or pending again with a back-off, or failed after too many attempts.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DISPATCHED = "dispatched", _("dispatched")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    available_at = models.DateTimeField(_("available from"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["state", "available_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.state}"


class PartitionVersion(models.Model):
    """The version of one partition of the school register (a range of school ids, see
    `partials`) for one kind of data: a new random token whenever that data changes in that
    partition, written in the same transaction as the change. Cached aggregates are keyed by
    it, so none outlives the data it was computed from (a rolled-back change leaves the old
    token, and a token is never reused)."""

    domain = models.CharField(_("domain"), max_length=32)
    partition = models.PositiveIntegerField(_("partition"))
    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("partition version")
        verbose_name_plural = _("partition versions")
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "partition"], name="core_partition_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.domain} {self.partition} {self.token}"
