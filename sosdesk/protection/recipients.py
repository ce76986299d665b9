"""Who is told that something happened on a case: the people who may open it.

The school's desk officers and PEKSOS, unless the case is hidden from the school (sent to
the Dinas only, or restricted): then its named handlers and the Koordinators. A recused
person is never told. The notifications hold no details (sosdesk/services.py), but even "a new
report at your school" would tell the person reported that a report exists."""

from peksos.accounts.models import Role, User

from ..models import Case


def case_recipients(case: Case) -> list[User]:
    recused = case.recusals.values("user_id")
    people = User.objects.filter(handled_cases__case=case)
    if case.dinas_only or case.restricted:
        people = people | User.objects.filter(role=Role.KOORDINATOR)
    else:
        people = people | User.objects.filter(
            role__in=[Role.SOSDESK, Role.PEKSOS], school_memberships__school=case.school_id
        )
    return list(people.filter(is_active=True).exclude(pk__in=recused).distinct().order_by("pk"))
