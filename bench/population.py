"""The people of the synthetic country (bench/national.py generate): staff with their schools,
children in monitoring with their PEKSOS and psychologist, parents and teachers who ask in the
forum. Written with COPY (`copy_rows`), one password hash for every synthetic user (hashing
tens of thousands of passwords would take hours and measures nothing).

- PEKSOS: one per `SCHOOLS_PER_PEKSOS` schools (docs/visits.md: about 16), each serving a run
  of neighbouring schools (the register in region order), so a PEKSOS's schools share a
  kecamatan as in the field. `bench_peksos` serves school A and fifteen more of Kota Metro.
- Psychologists: one per `SCHOOLS_PER_PSIKOLOG` schools; the children of those schools who were
  referred (`REFERRED`) are their caseload (about 15-20 children each, `CLOSED` of them closed).
- Forum: questions from many parents and teachers (`QUESTIONS_PER_AUTHOR` each, each with a
  membership of one school: the question's school), answers from the PEKSOS and
  psychologists. As in the field, a few questions wait for review (`PENDING_SHARE`) and a few
  published ones for their first answer (`UNANSWERED_SHARE`); the others have `ANSWERS`
  answers, written down on the question as `forum.services` does (`answer_count`,
  `last_answer_at`). bench_ortu, who belongs to no school, asks without one.

The pure part (`blocks`, `owner_of`, `thread`) is tested in tests/bench/test_population.py.
"""

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SCHOOLS_PER_PEKSOS = 16
SCHOOLS_PER_PSIKOLOG = 128
REFERRED = 0.6  # share of children in monitoring referred to the psychologist
CLOSED = 0.3  # share of children in monitoring whose record is closed
CONTACT_DAYS = 90  # last contacts spread over the days before the generation
QUESTIONS_PER_AUTHOR = 3
TEACHER_SHARE = 0.3  # of the forum's askers; the others are parents
PENDING_SHARE = 0.03  # of the questions: held for review (a new account, a child's name...)
UNANSWERED_SHARE = 0.05  # of the published questions: no answer yet
ANSWERS = (1, 8)  # answers of an answered question, uniformly: about four per question
FORUM_SINCE = datetime(2025, 7, 14, 8, tzinfo=ZoneInfo("Asia/Jakarta"))
FORUM_DAYS = 480  # questions asked over these days from FORUM_SINCE (before bench "today")
RECENT_DAYS = 7  # a question held for review was asked in the last week of the period
SCHOOL_A = "10807637"  # UPTD SD NEGERI 1 METRO PUSAT


def blocks(ordered: Sequence[int], size: int) -> list[list[int]]:
    """`ordered` cut into runs of `size` (the last one shorter; never an empty one)."""
    return [list(ordered[i : i + size]) for i in range(0, len(ordered), size)]


def owner_of(groups: Sequence[Sequence[int]], owners: Sequence[int]) -> dict[int, int]:
    """school -> the owner of its group."""
    return {school: owner for group, owner in zip(groups, owners, strict=True) for school in group}


def region_order() -> list[int]:
    """Every school's id, neighbours together: by kecamatan and kelurahan code, then id."""
    from schools.models import School

    return list(
        School.objects.order_by("kecamatan__code", "kelurahan__code", "pk").values_list(
            "pk", flat=True
        )
    )


def make_users(copy_rows, prefix: str, role: str, count: int, password: str) -> list[int]:
    """`count` users `prefix_000001`...; their ids, in order."""
    from peksos.accounts.models import User

    copy_rows(
        User,
        ((f"{prefix}_{i:06d}", password, role) for i in range(1, count + 1)),
        ["username", "password", "role"],
    )
    return list(
        User.objects.filter(username__startswith=f"{prefix}_")
        .order_by("username")
        .values_list("pk", flat=True)
    )


def staff(copy_rows, password: str, named: dict) -> dict:
    """PEKSOS and psychologists with their schools; returns school -> PEKSOS id and school ->
    psychologist id. `named` holds the bench users (bench_peksos, bench_psikolog) who take
    the first run of the city."""
    from peksos.accounts.models import Role
    from schools.models import School, SchoolMembership

    school_a = School.objects.get(npsn=SCHOOL_A).pk
    city = list(
        School.objects.filter(npsn__lt="99000000")
        .exclude(pk=school_a)
        .order_by("kecamatan__code", "pk")
        .values_list("pk", flat=True)[: SCHOOLS_PER_PEKSOS - 1]
    )
    first = [school_a, *city]
    taken = set(first)
    rest = [pk for pk in region_order() if pk not in taken]
    peksos_groups = [first, *blocks(rest, SCHOOLS_PER_PEKSOS)]
    peksos = [
        named["peksos"],
        *make_users(copy_rows, "peksos", Role.PEKSOS, len(peksos_groups) - 1, password),
    ]
    psikolog_groups = blocks([*first, *rest], SCHOOLS_PER_PSIKOLOG)
    psikolog = [
        named["psikolog"],
        *make_users(copy_rows, "psikolog", Role.PSIKOLOG, len(psikolog_groups) - 1, password),
    ]
    since = date(2024, 7, 1)
    rows = [
        (user, school, since)
        for groups, users in ((peksos_groups, peksos), (psikolog_groups, psikolog))
        for group, user in zip(groups, users, strict=True)
        for school in group
    ]
    copy_rows(SchoolMembership, rows, ["user", "school", "since"])
    return {
        "peksos": owner_of(peksos_groups, peksos),
        "psikolog": owner_of(psikolog_groups, psikolog),
        "staff": peksos + psikolog,
    }


def children(copy_rows, rng: random.Random, count: int, school_ids: list[int], owners: dict) -> int:
    """`count` children in monitoring, each with its school's PEKSOS; `REFERRED` of them with
    the school's psychologist (their caseload). Names encrypted by the model's field.

    `CLOSED` of them closed (with a closing day and an outcome), the others open; each last
    contact at some moment of the `CONTACT_DAYS` before the generation, so that about two in
    three open records are past their follow-up (FOLLOW_UP_DAYS, 30). These draws come from
    a random source of their own: the rows generated after the children stay as they were."""
    from monitoring.models import ChildRecord, new_child_code

    opened = datetime(2025, 7, 14, 9, tzinfo=ZoneInfo("Asia/Jakarta"))
    now = datetime.now(ZoneInfo("Asia/Jakarta"))
    follow = random.Random(f"children-{count}")
    outcomes = list(ChildRecord.Outcome.values)

    def closing(last_contact: datetime) -> tuple:
        """(status, closed_at, outcome) of one record."""
        if follow.random() >= CLOSED:
            return ChildRecord.Status.OPEN.value, None, ""
        closed_at = last_contact + (now - last_contact) * follow.random()
        return ChildRecord.Status.CLOSED.value, closed_at, follow.choice(outcomes)

    def rows():
        codes = set()
        for i in range(count):
            code = new_child_code()
            while code in codes:
                code = new_child_code()
            codes.add(code)
            school = rng.choice(school_ids)
            referred = rng.random() < REFERRED
            at = opened + timedelta(days=rng.randint(0, 480))
            last_contact = now - timedelta(days=CONTACT_DAYS) * follow.random()
            yield (
                code,
                school,
                str(rng.randint(1, 6)),
                rng.choice(["L", "P"]),
                2014 + rng.randint(0, 6),
                f"Anak Uji {i}",
                "AU",
                owners["peksos"][school],
                owners["psikolog"][school] if referred else None,
                at if referred else None,
                last_contact,
                *closing(last_contact),
            )

    return copy_rows(
        ChildRecord,
        rows(),
        [
            "code",
            "school",
            "class_level",
            "sex",
            "birth_year",
            "name",
            "initials",
            "peksos",
            "psikolog",
            "referred_at",
            "last_contact_at",
            "status",
            "closed_at",
            "outcome",
        ],
    )


def thread(rng: random.Random) -> tuple[bool, int, timedelta, list[timedelta]]:
    """One question's shape: (published, its answers, when it was asked from FORUM_SINCE,
    when each answer came after it, in order). A question waiting for review has no answer
    (only a published question can be answered) and was asked recently."""
    if rng.random() < PENDING_SHARE:
        asked = timedelta(days=FORUM_DAYS - rng.uniform(0, RECENT_DAYS))
        return False, 0, asked, []
    asked = timedelta(days=rng.uniform(0, FORUM_DAYS))
    if rng.random() < UNANSWERED_SHARE:
        return True, 0, asked, []
    n = rng.randint(*ANSWERS)
    return True, n, asked, sorted(timedelta(hours=rng.uniform(1, 96)) for _ in range(n))


def forum(
    copy_rows,
    rng: random.Random,
    n_questions: int,
    school_ids: list[int],
    owners: dict,
    password: str,
    parent: int,
) -> tuple[int, int]:
    """Questions from many parents and teachers (each a member of one school, the question's
    school), answered by the programme staff (`thread`: about four answers each, a few
    questions held or unanswered); `parent` (bench_ortu, in no school) asks some too.
    Returns (questions, answers)."""
    from forum.models import Answer, Category, Question
    from peksos.accounts.models import Role
    from schools.models import SchoolMembership

    n_authors = max(2, n_questions // QUESTIONS_PER_AUTHOR)
    teachers = round(n_authors * TEACHER_SHARE)
    askers = make_users(copy_rows, "guru", Role.GURU, teachers, password) + make_users(
        copy_rows, "ortu", Role.ORANG_TUA, n_authors - teachers, password
    )
    school_of = {user: rng.choice(school_ids) for user in askers}  # bench_ortu: none
    copy_rows(
        SchoolMembership,
        ((user, school, date(2025, 7, 1)) for user, school in school_of.items()),
        ["user", "school", "since"],
    )
    categories = list(Category.objects.values_list("pk", flat=True))
    topics = (
        "anak yang sering murung setelah pulang sekolah",
        "anak yang takut berangkat ke sekolah",
        "perundungan di grup percakapan kelas",
        "anak yang sulit tidur sejak pindah rumah",
        "anak yang marah bila diminta belajar",
    )

    # (asked at, published, answers' times): the answers are written after the questions.
    threads: list[tuple[datetime, bool, list[datetime]]] = []

    def question_rows():
        for i in range(n_questions):
            author = parent if i % 50 == 0 else rng.choice(askers)
            topic = rng.choice(topics)
            published, n, asked, after = thread(rng)
            at = FORUM_SINCE + asked
            answered = [at + delay for delay in after]
            threads.append((at, published, answered))
            yield (
                f"Pertanyaan uji {i}: {topic}",
                f"Bagaimana cara mendampingi {topic}?",
                rng.choice(categories),
                author,
                school_of.get(author),
                Question.Status.PUBLISHED if published else Question.Status.PENDING,
                at,
                at if published else None,
                n,
                answered[-1] if answered else None,
            )

    questions = copy_rows(
        Question,
        question_rows(),
        [
            "title",
            "body",
            "category",
            "author",
            "school",
            "status",
            "created_at",
            "published_at",
            "answer_count",
            "last_answer_at",
        ],
    )
    staff_ids = owners["staff"]
    # Read before the COPY starts: a connection cannot read while it copies. The questions
    # were numbered in the order they were written.
    ids = list(Question.objects.order_by("-pk").values_list("pk", flat=True)[:questions])[::-1]
    answers = copy_rows(
        Answer,
        (
            (
                pk,
                "Ajak anak bercerita dengan tenang.",
                rng.choice(staff_ids),
                Answer.Status.PUBLISHED,
                at,
                at,
            )
            for pk, (_asked, _published, answered) in zip(ids, threads, strict=True)
            for at in answered
        ),
        ["question", "body", "author", "status", "created_at", "published_at"],
    )
    return questions, answers
