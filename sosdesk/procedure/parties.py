"""The parties of a case: recorded by a handler, their names and contacts encrypted at rest,
shown masked ("Victim 1") everywhere, revealed only on purpose with a reason (one audit row
and one timeline line each time, as monitoring reveals a child's name)."""

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from peksos.accounts.models import User
from peksos.core import audit, tallies
from peksos.core.idempotency import create_once

from ..models import Case
from .common import locked_case, timeline
from .models import CaseParty


def party_add(
    *,
    case: Case,
    role: str,
    category: str,
    sex: str = "",
    age_band: str = "",
    relation: str = "",
    name: str,
    contact: str = "",
    by: User,
    idempotency_key: str | None = None,
    request=None,
) -> CaseParty:
    earlier = (
        CaseParty.objects.filter(idempotency_key=idempotency_key, case=case, created_by=by)
        if idempotency_key
        else None
    )

    def add() -> CaseParty:
        locked = locked_case(case)
        party = CaseParty.objects.create(
            case=locked,
            role=role,
            category=category,
            sex=sex,
            age_band=age_band,
            relation=relation,
            name=name,
            contact=contact,
            created_by=by,
            idempotency_key=idempotency_key or None,
        )
        timeline(locked, by, _("party recorded: %(role)s") % {"role": party.get_role_display()})
        audit.record("case_party_added", request=request, actor=by, obj=locked)
        return party

    with transaction.atomic(), tallies.deferred():
        return create_once(earlier, add)[0]


class PartyIdentity(NamedTuple):
    name: str
    contact: str


def party_reveal(*, party: CaseParty, reason: str, by: User, request=None) -> PartyIdentity:
    """The name and contact for one response; the reason goes to the case's timeline."""
    with transaction.atomic():
        labels = label_parties(CaseParty.objects.filter(case_id=party.case_id).defer("name"))
        label = next((p.label for p in labels if p.pk == party.pk), "")
        timeline(
            party.case,
            by,
            _("identity of %(party)s shown, reason: %(reason)s")
            % {"party": label, "reason": reason},
        )
        audit.record("case_party_revealed", request=request, actor=by, obj=party.case)
        row = CaseParty.objects.only("name", "contact").get(pk=party.pk)
    return PartyIdentity(row.name, row.contact)


def label_parties(parties: Iterable[CaseParty]) -> list[CaseParty]:
    """Each party with `label`: its role and number ("Victim 1"), the name shown in its stead."""
    seen: Counter = Counter()
    result = []
    for party in parties:
        seen[party.role] += 1
        party.label = f"{CaseParty.Role(party.role).label.capitalize()} {seen[party.role]}"
        result.append(party)
    return result


def parties_masked(case: Case) -> list[CaseParty]:
    """The case's parties without their encrypted columns (lists never decrypt names)."""
    return label_parties(case.parties.defer("name", "contact").order_by("created_at", "id"))
