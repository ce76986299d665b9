"""The Koordinator's forum numbers as a maintained figure (forum/figures.py, issue 22): every
way a question's status or answer count changes keeps `register_forum` equal to the live
count, a question without a school counts under the pseudo school 0, the nightly check
repairs what was changed behind its back, and the dashboard costs the same with more
questions."""

import pytest
from django.db import transaction
from django.urls import reverse

from forum import figures, services
from forum.models import Answer, Question
from peksos.core import tallies
from peksos.core.models import SchoolTally
from schools.tallies_check import check
from tests.factories import ask, relax_new_account_rules, reply, topic

HELD_BODY = "Anak saya Budi dipukul kakak kelasnya. Hubungi 081234567890."
HOME = reverse("home")


@pytest.fixture(autouse=True)
def _relaxed(monkeypatch):
    relax_new_account_rules(monkeypatch)


def live() -> dict:
    return {
        "pending": Question.objects.filter(status=Question.Status.PENDING).count(),
        "unanswered": Question.objects.filter(
            status=Question.Status.PUBLISHED, answer_count=0
        ).count(),
    }


def assert_current(pending: int, unanswered: int) -> None:
    assert live() == {"pending": pending, "unanswered": unanswered}, "the test's own premise"
    assert figures.register_forum() == live()


def test_asking_approving_and_rejecting_keep_the_figure(ortu_fajar, koordinator_ani):
    ask(ortu_fajar, title="Anak saya takut gelap")
    assert_current(0, 1)
    held = ask(ortu_fajar, title="Tolong, anak saya dipukul", body=HELD_BODY)
    other = ask(ortu_fajar, title="Anak saya dipukul lagi", body=HELD_BODY)
    assert_current(2, 1)
    services.post_approve(post=held, by=koordinator_ani)
    assert_current(1, 2)
    services.post_reject(post=other, by=koordinator_ani, text="Tanpa nama anak, ya.")
    assert_current(0, 2)


def test_answers_count_through_the_answer_count(ortu_fajar, guru_eka, koordinator_ani):
    question = ask(ortu_fajar)
    assert_current(0, 1)
    answer = reply(question, guru_eka)
    assert Question.objects.get(pk=question.pk).answer_count == 1
    assert_current(0, 0)
    services.post_hide(post=answer, by=koordinator_ani, text="Bukan jawaban.")
    assert_current(0, 1)
    services.post_approve(post=answer, by=koordinator_ani)
    assert_current(0, 0)


def test_a_held_answer_counts_once_approved(ortu_fajar, guru_eka, koordinator_ani):
    question = ask(ortu_fajar)
    held = reply(question, guru_eka, body="Murid saya Rina juga begitu, telepon 081298765432.")
    assert held.is_pending
    assert_current(0, 1)
    services.post_approve(post=held, by=koordinator_ani)
    assert_current(0, 0)


def test_deleting_answers_and_questions(ortu_fajar, guru_eka):
    answered = ask(ortu_fajar, title="Sudah dijawab")
    reply(answered, guru_eka)
    waiting = ask(ortu_fajar, title="Belum dijawab")
    held = ask(ortu_fajar, title="Ditahan", body=HELD_BODY)
    assert_current(1, 1)
    # No page deletes an answer; deleted in the ORM, it changes no column the figure reads.
    Answer.objects.get(question=answered).delete()
    assert_current(1, 1)
    Question.objects.get(pk=answered.pk).delete()
    assert_current(1, 1)
    Question.objects.get(pk=waiting.pk).delete()
    assert_current(1, 0)
    Question.objects.get(pk=held.pk).delete()
    assert_current(0, 0)


def test_a_question_without_a_school_counts_under_school_zero(
    psikolog_gita, ortu_fajar, guru_eka, koordinator_ani
):
    staff_question = ask(psikolog_gita, title="Pertanyaan dari psikolog")
    assert staff_question.school_id is None
    ask(ortu_fajar, title="Pertanyaan dari orang tua")
    assert_current(0, 2)
    stored = SchoolTally.objects.get(figure=figures.NAME, school_id=tallies.NO_SCHOOL)
    assert tallies.decode(stored.counts) == {("unanswered", tallies.UNDATED): 1}
    # Moved to a school and back (loaded from the database): both schools counted again.
    moved = Question.objects.get(pk=staff_question.pk)
    moved.school = ortu_fajar.school_memberships.first().school
    moved.save()
    assert_current(0, 2)
    assert tallies.decode(SchoolTally.objects.get(pk=stored.pk).counts) == {}
    moved = Question.objects.get(pk=staff_question.pk)
    moved.school = None
    moved.save(update_fields=["school"])
    assert_current(0, 2)
    assert tallies.decode(SchoolTally.objects.get(pk=stored.pk).counts) == {
        ("unanswered", tallies.UNDATED): 1
    }
    reply(staff_question, guru_eka)
    assert_current(0, 1)
    assert tallies.decode(SchoolTally.objects.get(pk=stored.pk).counts) == {}


def test_a_deleted_school_s_questions_move_to_school_zero_by_the_nightly_check(guru_eka, school_b):
    question = Question.objects.create(
        category=topic(),
        title="Dari sekolah yang ditutup",
        body="...",
        author=guru_eka,
        school=school_b,
        status=Question.Status.PUBLISHED,
    )
    assert_current(0, 1)
    school_b_id = school_b.pk
    school_b.delete()  # SET_NULL: an UPDATE of its questions, not counted
    assert Question.objects.get(pk=question.pk).school_id is None
    check([figures.NAME])
    assert_current(0, 1)
    gone = SchoolTally.objects.get(figure=figures.NAME, school_id=school_b_id)
    assert tallies.decode(gone.counts) == {}
    zero = SchoolTally.objects.get(figure=figures.NAME, school_id=tallies.NO_SCHOOL)
    assert tallies.decode(zero.counts) == {("unanswered", tallies.UNDATED): 1}


def test_a_rolled_back_question_leaves_nothing(ortu_fajar, psikolog_gita):
    ask(ortu_fajar, title="Yang tetap")
    before = figures.register_forum()
    with pytest.raises(RuntimeError), transaction.atomic():
        ask(ortu_fajar, title="Yang batal")
        ask(psikolog_gita, title="Yang batal juga", body=HELD_BODY)
        assert figures.register_forum() == {"pending": 1, "unanswered": 2}
        raise RuntimeError("rolled back")
    assert figures.register_forum() == before
    assert_current(0, 1)


def test_the_nightly_check_repairs_writes_behind_its_back(ortu_fajar, psikolog_gita, guru_eka):
    of_school = ask(ortu_fajar, title="Di sekolah")
    ask(psikolog_gita, title="Tanpa sekolah")
    assert_current(0, 2)
    # psql hand-edits: neither calls `changed`.
    Question.objects.filter(pk=of_school.pk).update(status=Question.Status.PENDING)
    Question.objects.filter(school=None).update(answer_count=3)
    assert figures.register_forum() != live()
    drift = check([figures.NAME])
    assert drift.schools[figures.NAME] == 2  # school A and school 0
    assert_current(1, 0)


def test_the_nightly_check_counts_school_zero_never_counted_before(guru_eka, psikolog_gita):
    """A question without a school written by COPY, before any other: no stored row of
    school 0 to find, and no register lists it; the check counts it all the same."""
    Question.objects.bulk_create(
        [
            Question(
                category=topic(),
                title="Dari COPY",
                body="...",
                author=psikolog_gita,
                status=Question.Status.PUBLISHED,
            )
        ]
    )
    assert not SchoolTally.objects.filter(figure=figures.NAME, school_id=0).exists()
    assert figures.register_forum() != live()
    check([figures.NAME])
    assert_current(0, 1)


def test_a_large_register_finds_school_zero_among_the_stored_rows(psikolog_gita):
    ask(psikolog_gita)
    db = "default"
    # Past 50,000 schools rebuild lists the stored ids not in the register with `_gone`.
    assert tallies._gone(figures.NAME, [1, 2, 3], db) == {tallies.NO_SCHOOL}


def test_the_dashboard_reads_the_figure_at_a_fixed_cost(
    login, koordinator_ani, ortu_fajar, psikolog_gita, django_assert_num_queries
):
    from tests.reports.test_dashboard import tiles

    ask(ortu_fajar, title="Ditahan", body=HELD_BODY)
    ask(psikolog_gita)
    client = login(koordinator_ani)
    client.get(HOME)
    with django_assert_num_queries(20) as first:
        t = tiles(client.get(HOME))
    assert (t["forum.pending"].value, t["forum.unanswered"].value) == (1, 1)
    Question.objects.bulk_create(
        [
            Question(
                category=topic(),
                title=f"Banyak {i}",
                body="...",
                author=ortu_fajar,
                school=ortu_fajar.school_memberships.first().school,
                status=Question.Status.PUBLISHED,
            )
            for i in range(30)
        ]
    )
    figures.changed([ortu_fajar.school_memberships.first().school_id])
    with django_assert_num_queries(len(first.captured_queries)):
        t = tiles(client.get(HOME))
    assert (t["forum.pending"].value, t["forum.unanswered"].value) == (1, 31)
    assert figures.register_forum() == live()


def test_a_member_s_panel_still_counts_their_own_questions(login, ortu_fajar, psikolog_gita):
    from tests.reports.test_dashboard import tiles

    ask(ortu_fajar, title="Punya saya")
    ask(psikolog_gita, title="Bukan punya saya")
    t = tiles(login(ortu_fajar).get(HOME))
    assert (t["forum.waiting"].value, t["forum.pending"].value) == (1, 0)
