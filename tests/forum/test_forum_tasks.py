"""The reminder about unanswered questions (forum.tasks.remind_unanswered): once per question,
to the forum's staff, through the outbox, without titles or texts."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from forum import services
from forum.models import Question
from forum.tasks import remind_unanswered
from peksos.core.models import OutboxMessage
from tests.factories import ask, relax_new_account_rules, reply


@pytest.fixture(autouse=True)
def _relaxed(monkeypatch):
    relax_new_account_rules(monkeypatch)


@pytest.fixture
def staff(koordinator_ani, peksos_budi, psikolog_gita):
    return {koordinator_ani.email, peksos_budi.email, psikolog_gita.email}


def test_unanswered_questions_remind_the_staff_once(
    ortu_fajar, guru_eka, staff, pendamping_hadi, django_capture_on_commit_callbacks
):
    waiting = ask(ortu_fajar, title="Pertanyaan yang belum dijawab siapa pun")
    answered = ask(ortu_fajar, title="Pertanyaan yang sudah dijawab guru")
    with django_capture_on_commit_callbacks(execute=True):
        reply(answered, guru_eka)  # the asker is told of the answer; not part of this test
    mail.outbox.clear()
    delivered = OutboxMessage.objects.count()
    private = ask(ortu_fajar, title="Pertanyaan pribadi tanpa jawaban", private=True)
    fresh_day = timezone.now() + timedelta(days=1)
    with time_machine.travel(fresh_day), django_capture_on_commit_callbacks(execute=True):
        assert remind_unanswered() == 0  # not yet N days
    later = timezone.now() + services.UNANSWERED_AFTER + timedelta(hours=1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert remind_unanswered.delay().get() == 2
        assert remind_unanswered() == 0  # a second run (a redelivered message) sends nothing
    assert {m.to[0] for m in mail.outbox} == staff  # not the pendamping, not the askers
    assert len(mail.outbox) == len(staff)
    for message in mail.outbox:
        assert "2" in message.body
        for question in (waiting, private):
            assert question.title not in message.body and question.body not in message.body
    done = OutboxMessage.objects.filter(state=OutboxMessage.State.DONE).count()
    assert done == delivered + len(staff)
    assert Question.objects.filter(reminded_at__isnull=False).count() == 2


def test_held_questions_are_not_reminded(ortu_fajar, staff):
    ask(ortu_fajar, body="Anak saya Budi dipukul.")
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert services.remind_unanswered() == 0
