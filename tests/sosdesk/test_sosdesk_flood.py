"""Flood limits of the public report form (sosdesk/flood.py): past a limit a report is still
saved and receipted, only marked for checking; past the alert limit one flood notice
replaces the per-report e-mails. Counted in the database; no address is kept."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from peksos.core import outbox
from sosdesk import flood
from sosdesk.models import Case, CaseMessage, Desk, PublicSubmission
from sosdesk.views.public import RECEIPT_KEY
from tests.factories import PUBLIC_RECEIPT as RECEIPT
from tests.factories import idempotency_key as key
from tests.factories import public_report as report

HOME = "10.20.30.40"
OTHER = "10.99.0.7"


@pytest.fixture(autouse=True)
def small_limits(monkeypatch):
    monkeypatch.setattr(flood, "ADDRESS_LIMIT", 3)
    monkeypatch.setattr(flood, "SCHOOL_LIMIT", 5)
    monkeypatch.setattr(flood, "SCHOOL_ALERT_LIMIT", 7)
    monkeypatch.setattr(flood, "GLOBAL_LIMIT", 100)


@pytest.fixture
def desk(school_a) -> Desk:
    return Desk.objects.create(school=school_a, sk_number="421/01/SK/2025")


@pytest.fixture
def desk_b(school_b) -> Desk:
    return Desk.objects.create(school=school_b, sk_number="421/02/SK/2025")


def file_from(client, desk, address, **overrides):
    """File one report from `address` and check its receipt, as the reporter sees it."""
    url = reverse("lapor:form", args=[desk.public_code])
    response = client.post(url, report(**overrides), REMOTE_ADDR=address)
    assert response.status_code == 302 and response["Location"] == RECEIPT
    kept = client.session[RECEIPT_KEY]
    page = client.get(RECEIPT)
    assert page.status_code == 200 and kept["code"] in page.content.decode() and kept["pin"]
    return Case.objects.get(code=kept["code"])


def relay() -> list:
    mail.outbox.clear()
    outbox.relay_due()
    return list(mail.outbox)


def test_the_two_addresses_fall_in_different_buckets(rf):
    assert flood.address_key(rf.get("/", REMOTE_ADDR=HOME)) != flood.address_key(
        rf.get("/", REMOTE_ADDR=OTHER)
    )


def test_past_the_address_limit_reports_are_saved_and_marked(
    client,
    desk,
    desk_team,
    monkeypatch,
):
    monkeypatch.setattr(flood, "SCHOOL_LIMIT", 10)
    cases = [file_from(client, desk, HOME) for _ in range(5)]
    assert [c.burst for c in cases] == [False, False, False, True, True]
    assert Case.objects.count() == 5
    # every one still alerted the desk (below the alert limit)
    assert len(relay()) == 5 * len(desk_team)
    # another address is not held to this one's count
    assert file_from(client, desk, OTHER).burst is False


def test_past_the_school_limit_reports_are_marked_whoever_sends_them(client, desk, desk_b):
    addresses = [f"10.1.{n}.1" for n in range(7)]
    cases = [file_from(client, desk, address) for address in addresses]
    assert [c.burst for c in cases] == [False] * 5 + [True] * 2
    # another school's form is not affected
    assert file_from(client, desk_b, "10.2.0.1").burst is False


def test_the_city_wide_limit(client, desk, desk_b, monkeypatch):
    monkeypatch.setattr(flood, "GLOBAL_LIMIT", 2)
    first = file_from(client, desk, "10.3.0.1")
    second = file_from(client, desk_b, "10.3.0.2")
    third = file_from(client, desk_b, "10.3.0.3")
    assert (first.burst, second.burst, third.burst) == (False, False, True)


def test_a_flood_sends_one_notice_instead_of_an_email_per_report(
    client,
    desk,
    desk_team,
    koordinator_ani,
):
    cases = [file_from(client, desk, f"10.4.{n}.1") for n in range(10)]
    assert Case.objects.count() == 10 and all(c.pin_hash for c in cases)
    sent = relay()
    per_report = [m for m in sent if "Banyak laporan" not in m.subject]
    notices = [m for m in sent if "Banyak laporan" in m.subject]
    # the first 7 reports were alerted one by one (a koordinator too, when urgent: not here)
    assert len(per_report) == 7 * len(desk_team)
    assert {c.code for c in cases[:7]} == {
        code for code in (c.code for c in cases) if any(code in m.body for m in per_report)
    }
    # one notice each for the desk team and the Koordinators, whatever the number of reports
    assert sorted(m.to[0] for m in notices) == sorted([*desk_team, koordinator_ani.email])
    assert all(desk.school.name in m.subject for m in notices)
    assert all(not any(c.code in m.body for c in cases) for m in notices)  # no codes in it

    # An hour later the flood is over: reports are alerted one by one again.
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        later = file_from(client, desk, "10.5.0.1")
        sent = relay()
    assert later.burst is False
    assert [m.to[0] for m in sent if later.code in m.body] == desk_team


def test_a_double_submit_counts_once(client, desk):
    same = key()
    for _ in range(3):
        file_from(client, desk, HOME, idempotency_key=same)
    assert Case.objects.count() == 1
    assert PublicSubmission.objects.count() == 1


def test_no_address_is_kept_and_old_rows_are_deleted(client, desk):
    file_from(client, desk, HOME)
    row = PublicSubmission.objects.get()
    assert row.key.startswith("a:") and len(row.key) == 6  # 16 bits: 65,536 buckets
    assert HOME not in row.key and "10.20" not in str(row)
    assert not hasattr(row, "case")
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        file_from(client, desk, OTHER)
    assert PublicSubmission.objects.count() == 1


def test_nothing_is_lost_when_every_limit_is_at_zero(client, desk, monkeypatch):
    for name in ("ADDRESS_LIMIT", "SCHOOL_LIMIT", "GLOBAL_LIMIT", "SCHOOL_ALERT_LIMIT"):
        monkeypatch.setattr(flood, name, 0)
    cases = [file_from(client, desk, HOME, narrative=f"Laporan {n}.") for n in range(3)]
    assert [c.narrative for c in Case.objects.order_by("received_at")] == [
        f"Laporan {n}." for n in range(3)
    ]
    assert all(c.burst for c in cases)


def test_a_broken_counter_does_not_cost_the_receipt(client, desk, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("counter table locked")

    monkeypatch.setattr(flood, "after_report", broken)
    case = file_from(client, desk, HOME)
    assert Case.objects.filter(pk=case.pk).exists()


def test_the_assessment_costs_at_most_three_queries_however_many_reports(
    client, desk, rf, django_assert_num_queries, django_assert_max_num_queries
):
    request = rf.post("/", REMOTE_ADDR=HOME)
    with django_assert_num_queries(3):
        flood.assess(request, desk.school)
    for n in range(12):
        file_from(client, desk, f"10.6.{n}.1")
    with django_assert_max_num_queries(3):
        assert flood.assess(request, desk.school).burst is True


def test_the_desk_sees_which_reports_arrived_in_a_burst(
    client, desk, login, sosdesk_citra_sdn1, monkeypatch
):
    monkeypatch.setattr(flood, "ADDRESS_LIMIT", 1)
    calm = file_from(client, desk, HOME)
    burst = file_from(client, desk, HOME)
    officer = login(sosdesk_citra_sdn1)
    listing = officer.get(reverse("sosdesk:case-list")).content.decode()
    assert listing.count("bi-lightning") == 1
    rows = listing.split("<tr")
    assert "bi-lightning" in next(r for r in rows if burst.code in r)
    assert "bi-lightning" not in next(r for r in rows if calm.code in r)
    detail = officer.get(reverse("sosdesk:case-detail", args=[burst.code])).content.decode()
    assert "bi-lightning" in detail
    calm_page = officer.get(reverse("sosdesk:case-detail", args=[calm.code])).content.decode()
    assert "bi-lightning" not in calm_page


# --- Reporter messages on the tracking page ---------------------------------------------------


def test_a_flood_of_reporter_messages_is_saved_folded_and_marked(
    client, school_a, desk, desk_team, login, sosdesk_citra_sdn1, django_capture_on_commit_callbacks
):
    """Issue #21: one tracking session sent 40 messages in 28 s, 80 e-mails to the desk. Every
    message is still saved and shown; the desk gets MESSAGE_ALERT_LIMIT e-mails each and one
    notice, and messages past MESSAGE_BURST_LIMIT are marked on the case page."""
    from sosdesk.services import case_file

    receipt = case_file(
        school=school_a,
        channel=Case.Channel.PUBLIC_FORM,
        narrative="uji",
        forms=["fisik"],
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
    )
    outbox.relay_due()
    mail.outbox.clear()
    track = reverse("lapor:track-case")
    client.post(reverse("lapor:track"), {"code": receipt.case.code, "pin": receipt.pin})
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(40):
            response = client.post(track, {"body": f"Pesan nomor {n}", "idempotency_key": key()})
            assert response.status_code == 302 and response["Location"] == track
    messages = list(CaseMessage.objects.filter(case=receipt.case).order_by("at", "id"))
    assert [m.body for m in messages] == [f"Pesan nomor {n}" for n in range(40)]
    assert [m.burst for m in messages] == [n >= flood.MESSAGE_BURST_LIMIT for n in range(40)]
    per_person = flood.MESSAGE_ALERT_LIMIT + 1
    assert len(mail.outbox) == per_person * len(desk_team)
    assert sum("Banyak pesan" in m.subject for m in mail.outbox) == len(desk_team)
    assert all("Pesan nomor" not in m.body for m in mail.outbox)
    page = login(sosdesk_citra_sdn1).get(reverse("sosdesk:case-detail", args=[receipt.case.code]))
    assert page.content.decode().count("masuk beruntun</span>") == 40 - flood.MESSAGE_BURST_LIMIT


def test_reporter_message_alerts_start_again_after_the_hour(
    client, school_a, desk, desk_team, django_capture_on_commit_callbacks
):
    from sosdesk.services import case_file

    with time_machine.travel("2026-11-27 08:00 +07:00", tick=False) as traveller:
        receipt = case_file(
            school=school_a,
            channel=Case.Channel.PUBLIC_FORM,
            narrative="uji",
            forms=["fisik"],
            modalities=["fisik"],
            scope="dalam",
            affected=["murid"],
            ongoing_danger="tidak",
        )
        outbox.relay_due()
        mail.outbox.clear()
        track = reverse("lapor:track-case")
        client.post(reverse("lapor:track"), {"code": receipt.case.code, "pin": receipt.pin})
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(6):
                client.post(track, {"body": f"Pesan {n}", "idempotency_key": key()})
        assert len(mail.outbox) == (flood.MESSAGE_ALERT_LIMIT + 1) * len(desk_team)
        for _ in range(3):  # the tracking session stays open while it is used
            traveller.shift(22 * 60)
            client.get(track)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(track, {"body": "Sejam kemudian", "idempotency_key": key()})
        assert len(mail.outbox) == len(desk_team)
    # The body is encrypted at rest (no SQL lookup on it): the latest message is this one.
    latest = CaseMessage.objects.filter(from_reporter=True).order_by("at", "id").last()
    assert latest.body == "Sejam kemudian" and not latest.burst
