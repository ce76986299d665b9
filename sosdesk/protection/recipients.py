"""Who is told by e-mail that something happened on a case: the people who may open it.

The school's desk officers and PEKSOS, unless the case is hidden from the school (sent to
the Dinas only, or restricted): then its named handlers and the Koordinators. A recused
person is never told. The e-mails hold no details (sosdesk/services.py), but even "a new
report at your school" would tell the person reported that a report exists."""

from peksos.accounts.models import Role, User

from ..models import Case


def _emails(users) -> list[str]:
    return list(users.filter(is_active=True).exclude(email="").values_list("email", flat=True))


def case_recipients(case: Case) -> list[str]:
    recused = case.recusals.values("user_id")
    named = User.objects.filter(handled_cases__case=case).exclude(pk__in=recused)
    if case.dinas_only or case.restricted:
        koordinators = User.objects.filter(role=Role.KOORDINATOR).exclude(pk__in=recused)
        return sorted(set(_emails(named)) | set(_emails(koordinators)))
    desk = User.objects.filter(
        role__in=[Role.SOSDESK, Role.PEKSOS], school_memberships__school=case.school_id
    ).exclude(pk__in=recused)
    return sorted(set(_emails(desk)) | set(_emails(named)))
