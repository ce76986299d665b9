"""Writes as users make them, through the services (so every register-wide figure they touch is
updated as in production, peksos/core/tallies.py), for the page benchmark and the load run.

    # a server of writes for bench/pages.py: reads "write K" lines, answers "done MS"
    # (a report's PIN hashed fast: see `setup`)
    DATABASE_URL=... .venv/bin/python bench/writes.py serve
    # writes at a steady rate beside a load run (bench/load.py), then prints what it did
    # (every hash as in production)
    DATABASE_URL=... .venv/bin/python bench/writes.py loop --per-second 2 --seconds 120

"write K" makes one write in each of K schools in K different regions (different kabupaten
when the data set has enough of them, else kecamatan, kelurahan, schools: `spread`), one
transaction each, as K users in K places would: a report filed on the public form (a new
case) or a visit marked done, in turn. The loop adds a desk's message on a case and a
parent's forum question to that mix. The choice of schools is pure and tested
(tests/bench/test_writes.py).
"""

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# region levels, widest first: how many characters of the kelurahan code name the region
LEVELS = (("kabupaten", 5), ("kecamatan", 8), ("kelurahan", 13))


def spread(schools: Sequence[tuple[int, str]], k: int, rng: random.Random) -> list[int]:
    """`k` distinct schools from `schools` ((id, kelurahan code or "")), each from a different
    region: the widest level with at least `k` regions; where none has enough, the kelurahan
    in turn (round robin: a second school of a kelurahan only when each has one)."""
    if k > len(schools):
        raise ValueError(f"{k} schools wanted, {len(schools)} in the register")
    for _level, width in LEVELS:  # the widest level with k regions, else the finest
        groups: dict[str, list[int]] = defaultdict(list)
        for pk, code in schools:
            groups[code[:width]].append(pk)
        if len(groups) >= k:
            break
    keys = sorted(groups)
    rng.shuffle(keys)
    chosen: list[int] = []
    queues = {key: rng.sample(groups[key], len(groups[key])) for key in keys}
    while len(chosen) < k:  # round robin: a second school of a region only when all have one
        for key in keys:
            if queues[key] and len(chosen) < k:
                chosen.append(queues[key].pop())
    return chosen


def regions_of(chosen: Sequence[int], schools: Sequence[tuple[int, str]], width: int) -> int:
    """How many different regions (code prefixes of `width`) the chosen schools are in."""
    code = dict(schools)
    return len({code[pk][:width] for pk in chosen})


# --- Django side ------------------------------------------------------------------------------


def setup(fast_hash: bool = False) -> None:
    """Django for the data set in DATABASE_URL. `fast_hash`: a report's PIN hashed with a
    fast hasher instead of PBKDF2 (0.9 s of CPU per report on this machine, the same for
    every register size): the page benchmark times the pages after writes, not the writes,
    and 600 PBKDF2 hashes per round would make a run take an hour."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    if fast_hash:
        from django.conf import settings
        from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        get_hashers.cache_clear()
        get_hashers_by_algorithm.cache_clear()


class Writer:
    """The writes of one data set."""

    def __init__(self, seed: int = 22):
        from peksos.accounts.models import Role, User
        from schools.models import School

        self.rng = random.Random(seed)
        self.schools = [
            (pk, code or "")
            for pk, code in School.objects.active().values_list("pk", "kelurahan__code")
        ]
        self.koordinator = User.objects.get(username="bench_koordinator")
        self.parent = User.objects.get(username="bench_ortu")
        self.desk_officer = User.objects.filter(role=Role.KOORDINATOR).first()
        self.turn = 0
        self.counts: dict[str, int] = defaultdict(int)
        self.due = self.schools_with_due_visits()

    def schools_with_due_visits(self) -> list[tuple[int, str]]:
        """Schools with an agreed visit whose day has come (about 2 % of the generated
        register: the visits between the data set's today and the real one)."""
        from django.utils import timezone

        from visits.models import Visit

        due = set(
            Visit.objects.filter(state=Visit.State.AGREED, date__lte=timezone.localdate())
            .values_list("school_id", flat=True)
            .distinct()
        )
        return [(pk, code) for pk, code in self.schools if pk in due]

    def write(self, k: int) -> float:
        """One write in each of k schools of k regions; the milliseconds they took. Half of
        them mark a visit done (the compliance board's and the dashboard's visit figures)
        while schools with a visit due remain, the others file a report (the SOS Desk
        figures, the dashboard's cases)."""
        started = time.perf_counter()
        visits = spread(self.due, min(k // 2 or (self.turn % 2), len(self.due)), self.rng)
        done = [school for school in visits if self.visit_done(school)]
        self.due = [(pk, code) for pk, code in self.due if pk not in set(visits)]
        for school in spread(self.schools, k - len(done), self.rng):
            self.case_filed(school)
        self.turn += 1
        return (time.perf_counter() - started) * 1000

    def case_filed(self, school_id: int) -> None:
        from schools.models import School
        from sosdesk import services
        from sosdesk.models import Affected, Case, Modality, Scope, ViolenceForm

        services.case_file(
            school=School.objects.get(pk=school_id),
            channel=Case.Channel.PUBLIC_FORM,
            narrative="Laporan uji dari bench/writes.py: narasi sintetis.",
            forms=[self.rng.choice(list(ViolenceForm.values))],
            modalities=[Modality.VERBAL],
            scope=Scope.INSIDE,
            affected=[Affected.PUPIL],
            ongoing_danger=Case.Danger.UNSURE,
            alert=False,
        )
        self.counts["case filed"] += 1

    def visit_done(self, school_id: int) -> bool:
        """The school's next agreed visit whose day has come marked done (False if none).
        Recomputing the school's priority and last visit is part of it, as in the service."""
        from django.utils import timezone

        from visits import services
        from visits.models import Visit

        visit = (
            Visit.objects.filter(
                school_id=school_id, state=Visit.State.AGREED, date__lte=timezone.localdate()
            )
            .order_by("date")
            .first()
        )
        if visit is None:
            return False
        services.visit_done(visit=visit, by=self.koordinator)
        self.counts["visit done"] += 1
        return True

    def message(self) -> None:
        from sosdesk import services
        from sosdesk.models import Case

        case = Case.objects.filter(school_id=self.rng.choice(self.schools)[0]).first()
        if case is None:
            return self.case_filed(self.rng.choice(self.schools)[0])
        services.case_message_from_desk(
            case=case, body="Terima kasih, laporan sedang kami tangani.", by=self.desk_officer
        )
        self.counts["case message"] += 1

    def question(self) -> None:
        from forum import services
        from forum.models import Category

        services.question_ask(
            author=self.asker(),
            category=Category.objects.order_by("?").first(),
            title=f"Pertanyaan uji beban {self.turn}",
            body="Bagaimana cara mendampingi anak yang takut berangkat ke sekolah?",
        )
        self.counts["forum question"] += 1

    def asker(self):
        """A parent or teacher of the data set (the forum's post rate is per author)."""
        from peksos.accounts.models import Role, User

        found = (
            User.objects.filter(role__in=[Role.ORANG_TUA, Role.GURU], username__contains="_0")
            .order_by("?")
            .first()
        )
        return found or self.parent

    def mixed(self) -> None:
        """One write of the load run's mix."""
        self.turn += 1
        kind = self.turn % 4
        if kind == 0:
            self.case_filed(self.rng.choice(self.schools)[0])
        elif kind == 1:
            self.message()
        elif kind == 2:
            school = spread(self.schools, 1, self.rng)[0]
            if not self.visit_done(school):
                self.case_filed(school)
        else:
            self.question()


def serve() -> None:
    setup(fast_hash=True)
    writer = Writer()
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.split()
        if command[:1] == ["write"]:
            print(f"done {writer.write(int(command[1])):.1f}", flush=True)
        elif command[:1] == ["counts"]:
            print(json.dumps(writer.counts), flush=True)
        else:
            print(f"unknown {line.strip()}", flush=True)


def loop(per_second: float, seconds: float) -> None:
    setup()
    from django.db import close_old_connections

    writer = Writer(seed=7)
    errors = 0
    started = time.perf_counter()
    n = 0
    while (elapsed := time.perf_counter() - started) < seconds:
        wait = n / per_second - elapsed
        if wait > 0:
            time.sleep(wait)
        try:
            writer.mixed()
        except Exception as error:  # counted and shown: the run goes on
            errors += 1
            print(f"write failed: {error!r}", file=sys.stderr, flush=True)
            close_old_connections()
        n += 1
    print(json.dumps({"writes": n, "errors": errors, **writer.counts}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve")
    lo = sub.add_parser("loop")
    lo.add_argument("--per-second", type=float, default=2)
    lo.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    if args.command == "serve":
        serve()
    else:
        loop(args.per_second, args.seconds)


if __name__ == "__main__":
    main()
