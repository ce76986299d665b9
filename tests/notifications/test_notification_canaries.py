"""Notifications never carry a child's name, a report's text or a post's content (issue #18;
the canary pattern of tests/core/test_canaries.py): every kind is produced by the apps' own
services with canaries in every sensitive field, then the stored texts, the e-mails, the
daily e-mail, the list pages and the log lines are searched."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import Question
from monitoring import observations
from monitoring import services as monitoring
from monitoring.models import Consent
from peksos.core.models import OutboxMessage
from peksos.notifications import services
from peksos.notifications.models import Delivery, Kind, Notification, Preference
from sosdesk import services as desk
from sosdesk.models import Case, Partner
from tests.factories import ask, open_record, relax_new_account_rules, reply

pytestmark = pytest.mark.django_db

CANARIES = {
    "name": "CANARY-notify-child-name-51e2",
    "guardian": "CANARY-notify-guardian-51e2",
    "narrative": "CANARY-notify-narrative-51e2",
    "reporter": "CANARY-notify-reporter-51e2",
    "message": "CANARY-notify-reporter-message-51e2",
    "exemption": "CANARY-notify-exemption-51e2",
    "referral": "CANARY-notify-referral-reason-51e2",
    "needs": "CANARY-notify-plan-needs-51e2",
    "closing": "CANARY-notify-closing-note-51e2",
    "label": "CANARY-notify-observation-label-51e2",
    "comment": "CANARY-notify-observation-comment-51e2",
    "title": "CANARY-notify-question-title-51e2",
    "body": "CANARY-notify-question-body-51e2",
    "answer": "CANARY-notify-answer-body-51e2",
}


def found_in(text: str) -> list[str]:
    return [key for key, canary in CANARIES.items() if canary in text]


@pytest.fixture
def every_kind(
    monkeypatch,
    school_a,
    koordinator_ani,
    peksos_budi,
    psikolog_gita,
    sosdesk_citra_sdn1,
    guru_eka,
    ortu_fajar,
):
    relax_new_account_rules(monkeypatch)
    # Daily e-mails for some, at once for the others: both texts are searched.
    for kind in (Kind.NEW_CASE, Kind.APPROVAL_DECIDED, Kind.FORUM_ANSWER):
        Preference.objects.create(user=peksos_budi, kind=kind, delivery=Delivery.DAILY)
    # SOS Desk: a new sexual-violence case, a reporter's message, a referral to the
    # psychologist, an officer's reason not to report, the case past its deadline.
    case = desk.case_file(
        school=school_a,
        channel=Case.Channel.IN_PERSON,
        narrative=CANARIES["narrative"],
        forms=["seksual"],
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
        anonymous=False,
        reporter_name=CANARIES["reporter"],
        by=sosdesk_citra_sdn1,
    ).case
    desk.case_message_from_reporter(case=case, body=CANARIES["message"])
    desk.case_refer(
        case=case,
        partner=Partner.PSIKOLOG,
        reason=CANARIES["referral"],
        psikolog=psikolog_gita,
        by=sosdesk_citra_sdn1,
    )
    desk.case_police_exemption(case=case, reason=CANARIES["exemption"], by=sosdesk_citra_sdn1)
    desk.escalate_overdue(timezone.now() + timedelta(days=30))
    # Monitoring: a plan approved, a closure asked and decided, a referral, an observation.
    record = open_record(school_a, peksos_budi, name=CANARIES["name"], peksos=peksos_budi)
    monitoring.plan_save(record=record, tier=3, needs=CANARIES["needs"], by=peksos_budi)
    monitoring.plan_approve(record=record, by=koordinator_ani)
    monitoring.consent_record(
        record=record,
        purpose=Consent.Purpose.REFERRAL,
        given_by=Consent.Relation.MOTHER,
        given_on=timezone.localdate(),
        method=Consent.Method.VERBAL,
        witness=CANARIES["guardian"],
        by=peksos_budi,
    )
    monitoring.record_refer(record=record, psikolog=psikolog_gita, by=peksos_budi)
    asked = observations.observation_request(
        record=record, addressee=guru_eka, child_label=CANARIES["label"], by=peksos_budi
    )
    observations.observation_answer(
        observation=asked,
        cheerful=3,
        gets_along=3,
        calm=3,
        wellbeing=7,
        comment=CANARIES["comment"],
        by=guru_eka,
    )
    monitoring.record_close_request(
        record=record, outcome="tujuan_tercapai", note=CANARIES["closing"], by=peksos_budi
    )
    monitoring.record_close_approve(record=record, by=koordinator_ani)
    # Forum: an answer to a parent's question, and a moderator's decision on a held one.
    question = ask(ortu_fajar, title=CANARIES["title"], body=CANARIES["body"])
    reply(question, peksos_budi, body=CANARIES["answer"])
    return {"case": case, "record": record, "question": question}


def test_every_kind_was_produced(every_kind):
    kinds = set(Notification.objects.values_list("kind", flat=True))
    missing = set(Kind.values) - kinds - {Kind.VISIT}  # visits carry no sensitive field
    assert not missing, missing


def test_no_canary_in_stored_notifications(every_kind):
    leaks = [
        (n.kind, key)
        for n in Notification.objects.all()
        for key in found_in(f"{n.message} {n.link}")
    ]
    assert not leaks, leaks


def test_no_canary_in_the_emails_at_once_or_daily(every_kind, peksos_budi):
    assert services.send_daily_summaries(now=timezone.now() + timedelta(hours=1)) >= 1
    emails = OutboxMessage.objects.filter(kind="peksos.core.tasks.send_email")
    texts = [f"{m.payload['subject']}\n{m.payload['body']}" for m in emails]
    daily = [t for t in texts if "PEKSOS: " in t.splitlines()[0]]
    assert daily, "the daily e-mail was not searched"
    # the observation request to the teacher is not a notification, but searched too
    leaks = [(text.splitlines()[0], key) for text in texts for key in found_in(text)]
    assert not leaks, leaks


@pytest.mark.parametrize(
    "persona",
    ["koordinator_ani", "peksos_budi", "psikolog_gita", "sosdesk_citra_sdn1", "ortu_fajar"],
)
def test_no_canary_in_the_list_pages(every_kind, login, request, persona):
    user = request.getfixturevalue(persona)
    assert Notification.objects.filter(recipient=user).exists()
    html = login(user).get(reverse("notifications:notification-list")).content.decode()
    assert not found_in(html)


def test_no_canary_in_the_log(every_kind, caplog, login, koordinator_ani):
    with caplog.at_level(logging.DEBUG):
        services.send_daily_summaries(now=timezone.now() + timedelta(hours=1))
        login(koordinator_ani).get(reverse("notifications:notification-list"))
        login(koordinator_ani).get(reverse("inbox"))
    assert not found_in(caplog.text)


def test_the_search_can_fail(every_kind):
    """The canaries are really in the records the notifications are about."""
    case = every_kind["case"]
    assert CANARIES["narrative"] in Case.objects.get(pk=case.pk).narrative
    assert CANARIES["title"] in Question.objects.get(pk=every_kind["question"].pk).title
    assert found_in(f"x {CANARIES['needs']}") == ["needs"]
