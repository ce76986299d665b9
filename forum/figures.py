"""The forum's register-wide figure, maintained (peksos/core/tallies.py): the Koordinator's
forum panel, questions waiting for review and published questions without an answer yet.

Each school contributes `pending` and `unanswered` (undated) for its askers' questions, as
the live panel counted them: status PENDING; status PUBLISHED with `answer_count` 0.

A question's school is the asker's (forum.services._school_of) and may be empty: staff ask
for no school in particular, and an account may belong to no school (or the school was
deleted: the question keeps its asker, not the school). Those questions count for the pseudo
school `tallies.NO_SCHOOL` (0): no school has that id, so the figure counts them without
inventing a school, and `rebuild` counts them every night like a school's (`without_school`).

`Question` is `TallyOnSave` in domain "forum"; writes that bypass its `save` (the answer count
written by `forum.services`, the demo's rows) call `tallies.changed("forum", ...)` themselves.
Two are left to the nightly check (`schools.tallies_check`): the bench's COPY, and a school
deleted (no page deletes one; `SET_NULL` moves its questions to no school in an UPDATE, and
a signal counting every deleted school would make emptying a register of 450,000 schools
take hours).
"""

from collections import Counter
from collections.abc import Sequence

from django.db.models import Count, Q

from peksos.core import tallies

from .models import Question

NAME = "forum"
DOMAIN = "forum"
PENDING = Q(status=Question.Status.PENDING)
UNANSWERED = Q(status=Question.Status.PUBLISHED, answer_count=0)


def tally_school(school_id: int | None) -> int:
    """The id a question's school counts under: its own, or NO_SCHOOL."""
    return tallies.NO_SCHOOL if school_id is None else school_id


def count(school_ids: Sequence[int]) -> dict[int, Counter]:
    """{school: Counter} of these schools' questions (0: those without a school): one grouped
    query, over the questions counted only."""
    ids = [pk for pk in school_ids if pk != tallies.NO_SCHOOL]
    of_schools = Q(school_id__in=ids)
    if tallies.NO_SCHOOL in school_ids:
        of_schools |= Q(school__isnull=True)
    rows = (
        Question.objects.filter(of_schools)
        .filter(PENDING | UNANSWERED)
        .order_by()
        .values_list("school_id")
        .annotate(pending=Count("pk", filter=PENDING), unanswered=Count("pk", filter=UNANSWERED))
    )
    counts: dict[int, Counter] = {}
    for school, pending, unanswered in rows:
        counts[tally_school(school)] = Counter(
            {("pending", tallies.UNDATED): pending, ("unanswered", tallies.UNDATED): unanswered}
        )
    return counts


def changed(school_ids) -> None:
    """These questions' schools (None: no school) were written without `Question.save`."""
    tallies.changed(DOMAIN, {tally_school(pk) for pk in school_ids})


def register_forum() -> dict:
    """{pending, unanswered} of the whole register: one query."""
    sums = tallies.sums(NAME)
    return {"pending": sums["pending"], "unanswered": sums["unanswered"]}


FIGURE = tallies.Figure(NAME, (DOMAIN,), count, without_school=True)
