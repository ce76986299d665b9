"""The fair door-prize draw (manual Bab 2.3.1: prizes distributed "fairly and evenly").

Who may win: the adults on the activity's named attendance list and the numbered tickets
1..N handed to the children on the day. Children are never named anywhere in a draw.

The algorithm ("shuffle-roundrobin-v1"), deterministic given the seed and the inputs:
1. The eligible entries are sorted canonically: adults by their attendance-list id, then
   tickets by number. Entries are ids: "A:<attendee id>" and "T:<ticket number>".
2. `random.Random(int(seed, 16)).shuffle` puts them in a random order (the seed is 256 bits
   from `secrets`; integer seeding and `shuffle` are stable across Python 3 versions).
3. The prize units are listed in canonical order (prizes by id, then unit 1..quantity) and
   handed out round-robin along the shuffled order: unit i goes to entry i mod n.
   So nobody gets a second prize while anyone eligible has none, and every unit is given.

A draw records the snapshot of its inputs, the seed, the result and a SHA-256 digest of all
of it (canonical JSON). `verify` recomputes the result from the recorded seed and snapshot
and the digest from the recorded fields: any change to either shows as a mismatch.
A recorded draw is never changed: drawing again needs a reason, creates a new draw, and
leaves the old one visible as superseded. Every run and every check is audited.
"""

import hashlib
import json
import random
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils.translation import gettext as _

from peksos.core import audit
from visits.models import Visit

from ..models import Activity, Draw

ALGORITHM = "shuffle-roundrobin-v1"
MAX_TICKETS = 5000


def new_seed() -> str:
    return secrets.token_hex(32)


def _entry_key(entry_id: str) -> tuple[int, int]:
    kind, _sep, number = entry_id.partition(":")
    return (0 if kind == "A" else 1, int(number))


def build_snapshot(activity: Activity, tickets: int) -> dict:
    """The inputs of a draw as they are now: the eligible entries and the prize units."""
    adults = [
        {"id": f"A:{pk}", "name": name}
        for pk, name in activity.attendees.order_by("pk").values_list("pk", "name")
    ]
    prizes = [
        {"id": pk, "name": name, "quantity": quantity}
        for pk, name, quantity in activity.prizes.order_by("pk").values_list(
            "pk", "name", "quantity"
        )
    ]
    return {"adults": adults, "tickets": tickets, "prizes": prizes}


def eligible_ids(snapshot: dict) -> list[str]:
    ids = [adult["id"] for adult in snapshot["adults"]]
    ids += [f"T:{n}" for n in range(1, int(snapshot["tickets"]) + 1)]
    return sorted(ids, key=_entry_key)


def compute(seed: str, snapshot: dict) -> list[dict]:
    """The winners, one row per prize unit: {"prize": id, "unit": k, "winner": entry id}."""
    order = eligible_ids(snapshot)
    if not order:
        return []
    # Not a secret: a reproducible shuffle anyone can re-run from the published seed.
    random.Random(int(seed, 16)).shuffle(order)  # noqa: S311  # nosec B311
    units = [
        (prize["id"], unit)
        for prize in sorted(snapshot["prizes"], key=lambda p: p["id"])
        for unit in range(1, int(prize["quantity"]) + 1)
    ]
    return [
        {"prize": prize_id, "unit": unit, "winner": order[i % len(order)]}
        for i, (prize_id, unit) in enumerate(units)
    ]


def digest_of(*, activity_id: int, number: int, algorithm: str, seed: str, snapshot, result):
    canonical = json.dumps(
        {
            "activity": activity_id,
            "number": number,
            "algorithm": algorithm,
            "seed": seed,
            "snapshot": snapshot,
            "result": result,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _digest(draw: Draw) -> str:
    return digest_of(
        activity_id=draw.activity_id,
        number=draw.number,
        algorithm=draw.algorithm,
        seed=draw.seed,
        snapshot=draw.snapshot,
        result=draw.result,
    )


def run_draw(
    activity: Activity,
    *,
    tickets: int,
    by,
    reason: str = "",
    request: HttpRequest | None = None,
    seed: str | None = None,
) -> Draw:
    """Draw now and record it. With a draw already recorded, only with a reason: the new draw
    supersedes the old one, which stays as it was."""
    reason = " ".join((reason or "").split())
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.kind != Visit.Kind.ONE_DAY:
            raise ValidationError(_("Door prizes are drawn at a One Day for Children only."))
        if activity.state == Activity.State.CANCELLED:
            raise ValidationError(_("This activity was cancelled."))
        if activity.state != Activity.State.HELD:
            raise ValidationError(
                _("The draw opens once the activity is recorded as held: record it first.")
            )
        if not 0 <= tickets <= MAX_TICKETS:
            raise ValidationError(_("The number of tickets must be between 0 and 5000."))
        current = activity.draws.filter(state=Draw.State.CURRENT).first()
        if current is not None and not reason:
            raise ValidationError(_("A draw is already recorded. To draw again, give the reason."))
        snapshot = build_snapshot(activity, tickets)
        if not snapshot["prizes"]:
            raise ValidationError(_("Enter the prizes first."))
        if not eligible_ids(snapshot):
            raise ValidationError(
                _("Nobody can win: the attendance list is empty and there are no tickets.")
            )
        seed = seed or new_seed()
        number = (activity.draws.aggregate(n=Max("number"))["n"] or 0) + 1
        if current is not None:
            current.state = Draw.State.SUPERSEDED
            current.save(update_fields=["state"])
        draw = Draw(
            activity=activity,
            number=number,
            algorithm=ALGORITHM,
            seed=seed,
            snapshot=snapshot,
            result=compute(seed, snapshot),
            reason=reason if current is not None else "",
            supersedes=current,
            created_by=by,
        )
        draw.digest = _digest(draw)
        draw.save()
        audit.record(
            "activity_draw_rerun" if current else "activity_draw_run",
            request=request,
            actor=by,
            obj=draw,
        )
    return draw


@dataclass
class Verification:
    result_matches: bool
    digest_matches: bool

    @property
    def ok(self) -> bool:
        return self.result_matches and self.digest_matches


def verify(draw: Draw, *, by=None, request: HttpRequest | None = None) -> Verification:
    """Recompute the draw from its recorded seed and inputs, and its digest."""
    if draw.algorithm != ALGORITHM:
        check = Verification(result_matches=False, digest_matches=False)
    else:
        try:
            recomputed = compute(draw.seed, draw.snapshot)
        except (KeyError, TypeError, ValueError):  # a snapshot altered out of shape
            recomputed = None
        check = Verification(
            result_matches=recomputed == draw.result,
            digest_matches=_digest(draw) == draw.digest,
        )
    if by is not None:
        with transaction.atomic():
            audit.record(
                "activity_draw_verified" if check.ok else "activity_draw_mismatch",
                request=request,
                actor=by,
                obj=draw,
            )
    return check


def winners(draw: Draw, ticket_label: str) -> list[dict]:
    """The result for people to read, in drawing order: prize name, unit, and the winner as
    an adult's name or a ticket number (`ticket_label` e.g. "Ticket %(number)s")."""
    prizes = {prize["id"]: prize for prize in draw.snapshot.get("prizes", [])}
    names = {adult["id"]: adult["name"] for adult in draw.snapshot.get("adults", [])}
    rows = []
    for n, row in enumerate(draw.result, start=1):
        prize = prizes.get(row["prize"], {})
        entry = row["winner"]
        is_ticket = entry.startswith("T:")
        rows.append(
            {
                "n": n,
                "prize": prize.get("name", "?"),
                "unit": row["unit"],
                "quantity": prize.get("quantity", 1),
                "is_ticket": is_ticket,
                "winner": ticket_label % {"number": entry[2:]}
                if is_ticket
                else names.get(entry, "?"),
            }
        )
    return rows
