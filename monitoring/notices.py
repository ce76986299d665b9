"""What monitoring tells people (peksos.notifications): a referral to a psychologist, a plan
or a closure waiting for a Koordinator, and the decision back to the one who asked. Each
text names the record's code and the school, never the child (a shared phone, a digest)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.accounts.models import Role, User
from peksos.notifications.models import Kind
from peksos.notifications.services import notify

from .models import ChildRecord


def _link(record: ChildRecord) -> str:
    return reverse("monitoring:record-detail", args=[record.code])


def _koordinators(but: User) -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.KOORDINATOR).exclude(pk=but.pk))


def referred(record: ChildRecord, psikolog: User) -> None:
    with override("id"):
        notify(
            [psikolog],
            Kind.REFERRAL,
            _("A child was referred to you"),
            _link(record),
            email_body=_(
                "A child (record %(code)s) was referred to you. Open PEKSOS to read the record."
            )
            % {"code": record.code},
        )


def plan_waiting(record: ChildRecord, by: User) -> None:
    with override("id"):
        message = _("The support plan of record %(code)s (%(school)s) waits for approval.") % {
            "code": record.code,
            "school": record.school.name,
        }
        notify(_koordinators(by), Kind.APPROVAL_NEEDED, message, reverse("inbox"))


def plan_decided(record: ChildRecord, plan_author: User | None, by: User) -> None:
    if plan_author is None or plan_author.pk == by.pk:
        return
    with override("id"):
        message = _("The support plan of record %(code)s was approved.") % {"code": record.code}
        notify([plan_author], Kind.APPROVAL_DECIDED, message, _link(record))


def closure_waiting(record: ChildRecord, by: User) -> None:
    with override("id"):
        message = _("Closing record %(code)s (%(school)s) waits for approval.") % {
            "code": record.code,
            "school": record.school.name,
        }
        notify(_koordinators(by), Kind.APPROVAL_NEEDED, message, reverse("inbox"))


def closure_decided(record: ChildRecord, asked_by: User | None, *, closed: bool) -> None:
    if asked_by is None:
        return
    with override("id"):
        if closed:
            message = _("Record %(code)s was closed as you asked.") % {"code": record.code}
        else:
            message = _("Closing record %(code)s was turned down: it stays open.") % {
                "code": record.code
            }
        notify([asked_by], Kind.APPROVAL_DECIDED, message, _link(record))


def observation_answered(record: ChildRecord, requester: User, url: str) -> None:
    with override("id"):
        notify(
            [requester],
            Kind.OBSERVATION_ANSWERED,
            _("An observation was answered"),
            _link(record),
            email_body=_("The observation you asked for record %(code)s was answered:\n%(url)s")
            % {"code": record.code, "url": url},
        )
