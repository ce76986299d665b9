"""`seed_demo --year`: a realistic demo year on top of the plain seed (docs in the command).

One transaction, one marker (a PlanRun whose options say `demo_year`): a second run finds the
marker and changes nothing. Every random choice comes from one `random.Random(SEED)`, and every
date is counted from today, so the same day gives the same data.
"""

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from peksos.core import school_year, tallies
from peksos.core.models import OutboxMessage
from visits.models import PlanRun

SEED = 20  # issue 20: change it and the whole year changes


@dataclass
class Year:
    """What the parts share: the random source, today, and the people made so far."""

    rng: random.Random
    today: object
    now: object
    plan: PlanRun
    staff: dict = field(default_factory=dict)  # kecamatan id -> {"peksos": [...], ...}
    officers: dict = field(default_factory=dict)  # school id -> sosdesk user
    principals: dict = field(default_factory=dict)  # school id -> kepala sekolah user
    counts: dict = field(default_factory=dict)


def marker():
    return PlanRun.objects.filter(options__demo_year=SEED).first()


def seed_year(write=print) -> bool:
    """Make the demo year; False when it was made before (nothing changes then)."""
    if not settings.DEMO:
        raise CommandError(
            "seed_demo --year writes made-up cases and children: it runs only with PEKSOS_DEMO=1."
        )
    if marker() is not None:
        write("Tahun contoh sudah ada; tidak ada yang diubah.")
        return False
    from . import cases, children, forum, people, priority_inputs, report, visits

    today = timezone.localdate()
    with transaction.atomic():
        plan = PlanRun.objects.create(
            school_year=school_year.year_of(today),
            options={"demo_year": SEED},
        )
        rng = random.Random(SEED)  # noqa: S311 (made-up data, not a secret)
        year = Year(rng=rng, today=today, now=timezone.now(), plan=plan)
        with tallies.deferred():  # the register-wide figures: each school counted once
            for part in (people, visits, cases, children, forum, priority_inputs):
                part.make(year)
        # The services wrote e-mails about made-up cases and visits to made-up addresses:
        # dropped before they leave (the outbox delivers only after the commit).
        OutboxMessage.objects.filter(created_at__gte=year.now).delete()
    report.make(year)  # its render message is kept: see demo/year/report.py
    write(
        "Tahun contoh (DATA CONTOH): "
        + ", ".join(f"{n} {what}" for what, n in year.counts.items())
        + "."
    )
    return True
