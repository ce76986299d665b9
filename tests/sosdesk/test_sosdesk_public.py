"""The public side of the SOS Desk: filing a report with no account, the receipt, tracking
with code and PIN (throttled, revealing nothing), messages, and the F1 drill (Redis down)."""

import re
from collections import Counter
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override

from peksos.core import outbox
from peksos.core.models import AuditEvent, OutboxMessage
from schools.models import School
from sosdesk import services
from sosdesk.models import Case, CaseEvent, CaseMessage, CaseNote, Desk, TrackingFailure
from sosdesk.views.public import RECEIPT_KEY, TRACKING_REFUSED
from tests.factories import NARRATIVE
from tests.factories import PUBLIC_RECEIPT as RECEIPT
from tests.factories import idempotency_key as key
from tests.factories import public_report as report

START = reverse("lapor:start")
TRACK = reverse("lapor:track")
TRACK_CASE = reverse("lapor:track-case")
TRACK_LOGOUT = reverse("lapor:track-logout")
XSS_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "xss-sample.txt"


def indonesian(text) -> str:
    """A page string as an Indonesian visitor reads it (with or without the catalogue yet)."""
    with override("id"):
        return str(escape(gettext(text) if isinstance(text, str) else str(text)))


@pytest.fixture
def desk(school_a) -> Desk:
    return Desk.objects.create(school=school_a, sk_number="421/01/SK/2025")


@pytest.fixture
def form_url(desk) -> str:
    return reverse("lapor:form", args=[desk.public_code])


def file_case(school: School, **overrides) -> services.Receipt:
    fields = {
        "narrative": NARRATIVE,
        "forms": ["fisik"],
        "modalities": ["fisik"],
        "scope": "dalam",
        "affected": ["murid"],
        "ongoing_danger": "tidak",
    }
    fields.update(overrides)
    return services.case_file(school=school, channel=Case.Channel.PUBLIC_FORM, **fields)


def track(client: Client, code: str, pin: str, **extra):
    return client.post(TRACK, {"code": code, "pin": pin}, **extra)


def without_tokens(html: str) -> str:
    """A page with its per-request values (CSRF token, nonces, typed values) blanked out."""
    return re.sub(r'(value|nonce)="[^"]*"', r'\1=""', html)


# --- The start page -----------------------------------------------------------------------


def test_start_page_finds_schools_with_a_desk_only(client, desk, school_b):
    response = client.get(START)
    assert response.status_code == 200
    assert response.context["schools"] is None  # nothing listed before a search
    assert reverse("lapor:track") in response.content.decode()

    found = client.get(START, {"q": "sdn 1 metro pusat"})
    assert [s.pk for s in found.context["schools"]] == [desk.school.pk]
    assert reverse("lapor:form", args=[desk.public_code]) in found.content.decode()
    by_npsn = client.get(START, {"q": desk.school.npsn})
    assert [s.pk for s in by_npsn.context["schools"]] == [desk.school.pk]
    # School B has no desk row yet: not listed.
    assert client.get(START, {"q": school_b.npsn}).context["schools"] == []


def test_start_page_lists_at_most_twenty(client, kota_metro, django_assert_max_num_queries):
    for school in School.objects.filter(name__contains="SD NEGERI")[:25]:
        Desk.objects.create(school=school)
    Desk.objects.filter(school__in=School.objects.filter(name__contains="SD NEGERI")[:1]).update(
        accepts_reports=False
    )
    with django_assert_max_num_queries(4):
        response = client.get(START, {"q": "sd negeri"})
    assert len(response.context["schools"]) == 20
    assert response.context["more"]


@pytest.mark.parametrize("q", ["\x00", "a" * 5000, "' OR 1=1 --", "<script>alert(1)</script>"])
def test_start_page_survives_odd_searches(client, desk, q):
    response = client.get(START, {"q": q})
    # NUL: 400 before the database (tests/core/test_nul_bytes.py)
    assert response.status_code == (400 if "\x00" in q else 200)
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_start_page_is_get_only(client, db):
    assert client.post(START).status_code == 405


# --- The form -----------------------------------------------------------------------------


def test_form_opens_without_an_account(client, desk, form_url):
    response = client.get(form_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert desk.school.name in html
    assert 'href="tel:110"' in html and 'href="tel:112"' in html and 'href="tel:129"' in html
    assert "report_draft.js" in html
    assert re.search(r'name="idempotency_key" value="[A-Za-z0-9_-]{16,64}"', html)
    assert "private" in response["Cache-Control"]
    # Every form shown carries its own key.
    again = client.get(form_url).context["form"]["idempotency_key"].value()
    assert again != response.context["form"]["idempotency_key"].value()
    # The public code works in lower case too (typed from a poster).
    assert client.get(form_url.lower()).status_code == 200


def test_unknown_public_code_is_404(client, desk):
    assert client.get(reverse("lapor:form", args=["ZZZZZZ"])).status_code == 404
    assert client.get("/lapor/%00/").status_code == 404
    assert client.post(reverse("lapor:form", args=["ZZZZZZ"]), report()).status_code == 404


def test_desk_not_accepting_reports_is_404(client, desk, form_url):
    Desk.objects.filter(pk=desk.pk).update(accepts_reports=False)
    assert client.get(form_url).status_code == 404
    assert client.post(form_url, report()).status_code == 404
    assert not Case.objects.exists()


def test_form_rejects_other_methods(client, form_url):
    assert client.put(form_url).status_code == 405
    assert client.delete(form_url).status_code == 405


def test_anonymous_report_happy_path(
    client, desk, form_url, desk_team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            form_url,
            report(
                reporter_name="Nama Rahasia",
                reporter_contact="0812-0000-1111",
                reporter_relation="murid",
                contact_allowed="on",
            ),
        )
    assert response.status_code == 302
    assert response["Location"] == RECEIPT

    case = Case.objects.get()
    assert case.school == desk.school
    assert case.channel == Case.Channel.PUBLIC_FORM
    assert case.status == Case.Status.RECEIVED
    assert case.narrative == NARRATIVE
    assert (case.forms, case.modalities, case.affected) == (
        ["fisik", "perundungan"],
        ["fisik", "verbal"],
        ["murid"],
    )
    assert (case.scope, case.ongoing_danger, case.occurred_text) == ("dalam", "tidak", "Senin lalu")
    # Anonymous: nothing of the identity is stored, whatever was posted.
    assert case.anonymous
    assert (case.reporter_name, case.reporter_contact, case.reporter_relation) == ("", "", "")
    assert not case.contact_allowed
    assert case.police_due_at is None

    receipt = client.get(RECEIPT)
    assert receipt.status_code == 200
    html = receipt.content.decode()
    pin = client.session[RECEIPT_KEY]["pin"]
    assert case.code in html and pin in html
    assert case.check_pin(pin)
    assert f'data-draft-key="{desk.public_code}"' in html  # the draft script clears the draft
    assert "no-store" in receipt["Cache-Control"]
    assert "Nama Rahasia" not in html

    # One e-mail per desk officer and PEKSOS of the school, with no details of the report.
    assert sorted(m.to[0] for m in mail.outbox) == desk_team
    for message in mail.outbox:
        assert case.code in message.body
        for detail in ("dipukul", "kantin", "murid kelas", "Nama Rahasia", "0812"):
            assert detail not in message.body and detail not in message.subject


def test_anonymous_report_is_not_tied_to_the_sender(login, guru_eka, desk, form_url):
    client = login(guru_eka)  # a teacher with an account, reporting anonymously
    client.post(form_url, report(), REMOTE_ADDR="10.1.2.3")
    case = Case.objects.get()
    filed = AuditEvent.objects.for_object(case).get(action="case_filed")
    assert (filed.actor_id, filed.ip) == (None, None)
    assert case.received_by is None


def test_identified_report_keeps_the_name(client, desk, form_url):
    response = client.post(
        form_url,
        report(
            identity="nama",
            reporter_name="Ibu Sari",
            reporter_contact="sari@example.org",
            reporter_relation="lainnya",
            contact_allowed="on",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert not case.anonymous
    assert (case.reporter_name, case.reporter_contact) == ("Ibu Sari", "sari@example.org")
    assert case.reporter_relation == "lainnya"
    assert case.contact_allowed


def test_identified_report_needs_a_name_and_contact(client, desk, form_url):
    response = client.post(form_url, report(identity="nama", reporter_name="Ibu Sari"))
    assert response.status_code == 200
    assert "reporter_contact" in response.context["form"].errors
    assert "reporter_name" not in response.context["form"].errors
    assert not Case.objects.exists()


def test_sexual_violence_starts_the_police_clock(client, desk, form_url, koordinator_ani):
    client.post(form_url, report(violence=["seksual"]))
    case = Case.objects.get()
    assert case.police_due_at == case.received_at + timedelta(hours=72)


def test_ongoing_danger_makes_the_report_urgent(client, desk, form_url):
    client.post(form_url, report(ongoing_danger="ya"))
    assert Case.objects.get().urgency == Case.Urgency.EMERGENCY


def test_double_submit_files_one_report_and_keeps_the_pin(client, desk, form_url):
    data = report()
    first = client.post(form_url, data)
    pin = client.session[RECEIPT_KEY]["pin"]
    second = client.post(form_url, data)
    assert first["Location"] == second["Location"] == RECEIPT
    assert Case.objects.count() == 1
    html = client.get(RECEIPT).content.decode()
    assert pin in html  # the repeat did not erase the PIN the first submit showed

    # The same key from another browser (the first answer never arrived): still one case,
    # its code shown, and the PIN not (it is stored only as a hash).
    other = Client()
    assert other.post(form_url, data)["Location"] == RECEIPT
    assert Case.objects.count() == 1
    html = other.get(RECEIPT).content.decode()
    assert Case.objects.get().code in html
    assert 'id="receipt-pin-missing"' in html and pin not in html


def test_a_report_without_a_valid_key_is_still_filed(client, desk, form_url):
    for bad in ("", "short", "x" * 200, "\x00" * 20):
        assert client.post(form_url, report(idempotency_key=bad)).status_code == 302
    assert Case.objects.count() == 4


def test_bad_input_keeps_what_was_typed(client, desk, form_url):
    data = report(
        narrative="Dipukul",  # too short
        violence=["psikis", "seksual"],
        modalities=["daring"],
        occurred_on="2999-01-01",
        occurred_text="kemarin sore",
        ongoing_danger="ya",
    )
    response = client.post(form_url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"narrative", "occurred_on"}
    html = response.content.decode()
    assert re.search(r">\s*Dipukul</textarea>", html)
    assert 'value="kemarin sore"' in html
    for name, value in [
        ("violence", "psikis"),
        ("violence", "seksual"),
        ("modalities", "daring"),
        ("ongoing_danger", "ya"),
    ]:
        assert re.search(rf'name="{name}" value="{value}"[^>]*checked', html), (name, value)
    assert not re.search(r'name="violence" value="fisik"[^>]*checked', html)
    assert f'value="{data["idempotency_key"]}"' in html  # the retry is the same submission
    assert not Case.objects.exists()
    assert "no-store" in response["Cache-Control"]  # it holds what was typed


@pytest.mark.parametrize(
    "overrides",
    [
        {"narrative": ""},
        {"narrative": "x" * 5001},
        {"violence": ["bogus"]},
        {"scope": "\x00"},
        {"occurred_on": "99999-99-99"},
        {"occurred_on": "\x00"},
        {"identity": "nama", "reporter_contact": "0812" * 100},
    ],
)
def test_bad_input_is_a_form_error(client, desk, form_url, overrides):
    response = client.post(form_url, report(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Case.objects.exists()


def test_missing_optional_answers_fall_back_to_not_sure(client, desk, form_url):
    response = client.post(
        form_url, {"narrative": NARRATIVE, "idempotency_key": key()}
    )  # the least a browser without the radios could send
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.scope, case.ongoing_danger, case.anonymous) == ("tidak_tahu", "tidak_tahu", True)
    assert case.forms == case.modalities == case.affected == []


def test_nul_characters_are_dropped(client, desk, form_url):
    client.post(
        form_url, report(narrative="Ada\x00 kekerasan\x00 di kelas tiga", occurred_text="\x00")
    )
    case = Case.objects.get()
    assert case.narrative == "Ada kekerasan di kelas tiga"
    assert case.occurred_text == ""


def test_post_without_csrf_token_is_refused(desk, form_url):
    client = Client(enforce_csrf_checks=True)
    assert client.post(form_url, report()).status_code == 403
    assert client.post(TRACK, {"code": "ABCDEFGH", "pin": "123456"}).status_code == 403
    assert client.post(TRACK_LOGOUT).status_code == 403
    assert not Case.objects.exists()


# --- The receipt --------------------------------------------------------------------------


def test_receipt_without_a_report_goes_to_the_start(client, db):
    response = client.get(RECEIPT)
    assert response.status_code == 302
    assert response["Location"] == START


def test_receipt_is_forgotten_after_half_an_hour(client, desk, form_url):
    client.post(form_url, report())
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.get(RECEIPT)["Location"] == START
    assert RECEIPT_KEY not in client.session


# --- Tracking -----------------------------------------------------------------------------


def test_tracking_shows_status_and_thread_but_no_internal_notes(
    client, school_a, sosdesk_citra_sdn1
):
    receipt = file_case(school_a)
    case = receipt.case
    services.case_message_from_desk(
        case=case, body="Terima kasih, kami sedang memeriksa.", by=sosdesk_citra_sdn1
    )
    CaseMessage.objects.create(case=case, from_reporter=True, body="Apakah ada kabar?")
    CaseNote.objects.create(case=case, author=sosdesk_citra_sdn1, body="CATATAN-INTERNAL-RAHASIA")
    services.case_transition(case=case, to=Case.Status.VERIFYING, by=sosdesk_citra_sdn1)

    response = track(client, case.code.lower(), receipt.pin, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302
    assert response["Location"] == TRACK_CASE
    audit = AuditEvent.objects.for_object(case).filter(action="case_tracked").get()
    assert (audit.actor_id, audit.ip) == (None, None)  # no address tied to the report

    page = client.get(TRACK_CASE)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert case.code in html
    assert 'data-status="verifikasi"' in html
    assert "Terima kasih, kami sedang memeriksa." in html
    assert "Apakah ada kabar?" in html
    assert indonesian("SOS Desk officer") in html
    assert "CATATAN-INTERNAL-RAHASIA" not in html
    for name in ("Citra", "sosdesk_citra", sosdesk_citra_sdn1.email):
        assert name not in html


def test_tracking_page_query_count_does_not_grow_with_the_thread(
    client, school_a, sosdesk_citra_sdn1, django_assert_num_queries
):
    receipt = file_case(school_a)
    track(client, receipt.case.code, receipt.pin)
    client.get(TRACK_CASE)
    for n in range(10):
        services.case_message_from_desk(case=receipt.case, body=f"Pesan {n}", by=sosdesk_citra_sdn1)
    # The session, the case with its school, the thread, the photos of its messages and of
    # the report (names only), and the session saved (in a savepoint).
    with django_assert_num_queries(8):
        html = client.get(TRACK_CASE).content.decode()
    assert "Pesan 9" in html


def test_reporter_sends_a_message_once(
    client, school_a, desk_team, django_capture_on_commit_callbacks
):
    receipt = file_case(school_a)
    outbox.relay_due()  # the alerts about the new report
    mail.outbox.clear()
    track(client, receipt.case.code, receipt.pin)
    message_key = client.get(TRACK_CASE).context["form"]["idempotency_key"].value()
    data = {"body": "Kejadiannya terulang lagi hari ini.", "idempotency_key": message_key}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(TRACK_CASE, data)
        second = client.post(TRACK_CASE, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == TRACK_CASE
    message = CaseMessage.objects.get(case=receipt.case)
    assert message.from_reporter and message.author is None
    assert sorted(m.to[0] for m in mail.outbox) == desk_team
    assert all("terulang" not in m.body for m in mail.outbox)
    assert "Kejadiannya terulang lagi hari ini." in client.get(TRACK_CASE).content.decode()


def test_an_empty_message_is_a_form_error(client, school_a):
    receipt = file_case(school_a)
    track(client, receipt.case.code, receipt.pin)
    for body in ("", "   ", "\x00\x00", "x" * 4001):
        response = client.post(TRACK_CASE, {"body": body, "idempotency_key": key()})
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not CaseMessage.objects.exists()


def test_wrong_pin_and_unknown_code_look_the_same(client, school_a):
    case = file_case(school_a).case
    wrong_pin = track(client, case.code, "000000")
    unknown = track(client, "ZZZZZZZZ", "000000")
    assert wrong_pin.status_code == unknown.status_code == 200
    refused = indonesian(TRACKING_REFUSED)
    assert refused in wrong_pin.content.decode() and refused in unknown.content.decode()
    assert without_tokens(wrong_pin.content.decode()) == without_tokens(unknown.content.decode())
    assert "sosdesk_tracking" not in client.session
    assert client.get(TRACK_CASE)["Location"] == TRACK
    assert AuditEvent.objects.filter(action="case_tracking_failed").count() == 2


def test_five_failures_lock_the_code_even_for_the_right_pin(client, school_a):
    receipt = file_case(school_a)
    code = receipt.case.code
    for i in range(5):
        assert track(client, code, "000000", REMOTE_ADDR=f"10.0.0.{i}").status_code == 200
    locked = track(client, code, receipt.pin, REMOTE_ADDR="10.0.0.99")
    assert locked.status_code == 200
    assert indonesian(TRACKING_REFUSED) in locked.content.decode()
    wrong = track(Client(), code, "111111", REMOTE_ADDR="10.0.0.98")
    assert without_tokens(locked.content.decode()) == without_tokens(wrong.content.decode())
    assert client.get(TRACK_CASE).status_code == 302
    # Half an hour later the right PIN works again.
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert track(client, code, receipt.pin)["Location"] == TRACK_CASE


def test_twenty_failures_from_one_address_lock_that_address(client, school_a):
    receipt = file_case(school_a)
    for i in range(20):
        track(client, f"ABCDEF{i:02d}", "123456", REMOTE_ADDR="10.20.30.40")
    locked = track(client, receipt.case.code, receipt.pin, REMOTE_ADDR="10.20.30.40")
    assert locked.status_code == 200
    assert indonesian(TRACKING_REFUSED) in locked.content.decode()
    assert TrackingFailure.objects.filter(key="ip:10.20.30.40").count() == 20
    # Another address is not affected.
    other = track(Client(), receipt.case.code, receipt.pin, REMOTE_ADDR="10.20.30.41")
    assert other["Location"] == TRACK_CASE


def test_malformed_code_or_pin_is_a_form_error(client, school_a):
    for code, pin in [("", ""), ("\x00", "\x00"), ("A" * 50, "1" * 50), ("ABCDEFGH", "abc")]:
        response = track(client, code, pin)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not TrackingFailure.objects.exists()


def test_tracking_reaches_only_the_case_of_this_session(client, school_a):
    first = file_case(school_a)
    second = file_case(school_a, narrative="Laporan kedua tentang perundungan daring.")
    assert Client().get(TRACK_CASE)["Location"] == TRACK  # no session, no case
    track(client, first.case.code, first.pin)
    page = client.get(TRACK_CASE, {"code": second.case.code})  # no parameter picks a case
    assert page.context["case"] == first.case
    assert second.case.narrative not in page.content.decode()
    # Logging in to the second case replaces the first.
    track(client, second.case.code, second.pin)
    html = client.get(TRACK_CASE).content.decode()
    assert second.case.code in html and first.case.code not in html


def test_tracking_login_rotates_the_session_key(client, school_a):
    receipt = file_case(school_a)
    client.get(TRACK)
    client.session.save()
    before = client.session.session_key
    track(client, receipt.case.code, receipt.pin)
    assert client.session.session_key != before


def test_tracking_ends_after_thirty_idle_minutes(client, school_a):
    receipt = file_case(school_a)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        track(client, receipt.case.code, receipt.pin)
        traveller.shift(timedelta(minutes=29))
        assert client.get(TRACK_CASE).status_code == 200  # activity keeps it alive
        traveller.shift(timedelta(minutes=29))
        assert client.get(TRACK_CASE).status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get(TRACK_CASE)["Location"] == TRACK
        assert client.get(TRACK_CASE)["Location"] == TRACK


def test_leaving_forgets_the_case(client, school_a):
    receipt = file_case(school_a)
    track(client, receipt.case.code, receipt.pin)
    assert client.get(TRACK_LOGOUT).status_code == 405
    response = client.post(TRACK_LOGOUT)
    assert response["Location"] == TRACK
    assert client.get(TRACK_CASE)["Location"] == TRACK


# --- Stored XSS (docs/quality.md S7) -----------------------------------------------------------


class ExecutableFinder(HTMLParser):
    """Scripts not served by the app, event handler attributes and javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in {"href", "src", "action", "formaction", "xlink:href", "data"}:
                target = re.sub(r"[\s\x00-\x1f]", "", unescape(value or "")).lower()
                if target.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.found.append(f"<{tag} {name}={value}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.found.append("<script> not from /static/")
        if tag in {"iframe", "object", "embed", "applet", "svg", "math", "base"}:
            self.found.append(f"<{tag}>")
        if tag == "form" and not (dict(attrs).get("action") or "").startswith("/"):
            self.found.append("<form> sent elsewhere")
        if tag == "meta" and "http-equiv" in dict(attrs):
            self.found.append("<meta http-equiv>")


def test_xss_payloads_as_narrative_are_stored_and_shown_escaped(client, desk, form_url):
    payloads = [line for line in XSS_SAMPLE.read_text().splitlines() if len(line.strip()) >= 10]
    assert len(payloads) >= 25
    for payload in payloads:
        assert client.post(form_url, report(narrative=payload))["Location"] == RECEIPT
        kept = client.session[RECEIPT_KEY]
        case = Case.objects.get(code=kept["code"])
        assert case.narrative == payload.replace("\x00", "").strip()
        assert track(client, kept["code"], kept["pin"])["Location"] == TRACK_CASE
        html = client.get(TRACK_CASE).content.decode()
        assert str(escape(case.narrative)) in html
        finder = ExecutableFinder()
        finder.feed(html)
        assert finder.found == [], (payload, finder.found)


# --- F1: Redis down while 50 reports are filed ----------------------------------------------


def test_f1_redis_down_fifty_reports_then_each_alert_sent_once(
    client,
    desk,
    form_url,
    desk_team,
    broker_down,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    from peksos.celery import app

    # Kombu waits 2 s before its one reconnection attempt (settings: max_retries 1), so each
    # refused publish costs a request 2 s; retry at once here to keep the drill short.
    monkeypatch.setitem(
        app.conf,
        "broker_transport_options",
        {**app.conf.broker_transport_options, "interval_start": 0, "interval_step": 0},
    )
    keys = [key() for _ in range(50)]
    with django_capture_on_commit_callbacks(execute=True):
        for n, idempotency_key in enumerate(keys):
            response = client.post(
                form_url,
                report(
                    narrative=f"Laporan ke-{n}: ada perundungan.", idempotency_key=idempotency_key
                ),
            )
            assert response.status_code == 302 and response["Location"] == RECEIPT
            page = client.get(RECEIPT)
            assert page.status_code == 200
            assert client.session[RECEIPT_KEY]["code"] in page.content.decode()
            assert client.session[RECEIPT_KEY]["pin"]
        # A repeated POST with the same key creates nothing.
        assert client.post(form_url, report(idempotency_key=keys[0]))["Location"] == RECEIPT
    assert Case.objects.count() == 50
    expected = len(desk_team) * 50
    assert OutboxMessage.objects.count() == expected
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).count() == expected
    assert outbox.relay_due() == 0  # beat tries while Redis is still down: all stay pending
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).count() == expected
    assert mail.outbox == []

    # Redis is back (tasks run in-process here); the relay runs until nothing is left.
    app.conf.task_always_eager = True
    now = timezone.now()
    for minute in range(1, 30):
        with time_machine.travel(now + timedelta(minutes=minute)):
            outbox.relay_due()
        if not OutboxMessage.objects.exclude(state=OutboxMessage.State.DONE).exists():
            break
    assert not OutboxMessage.objects.exclude(state=OutboxMessage.State.DONE).exists()
    assert len(mail.outbox) == expected
    sent = Counter((m.to[0], m.body) for m in mail.outbox)
    assert set(sent.values()) == {1}  # no e-mail twice
    assert Counter(m.to[0] for m in mail.outbox) == {address: 50 for address in desk_team}
    codes = set(Case.objects.values_list("code", flat=True))
    assert {c for c in codes if any(c in m.body for m in mail.outbox)} == codes

    with time_machine.travel(now + timedelta(hours=2)):
        assert outbox.relay_due() == 0
    assert len(mail.outbox) == expected


def test_a_tracking_code_drawn_twice_is_drawn_again_and_the_report_kept(
    school_a, monkeypatch, django_capture_on_commit_callbacks
):
    taken = file_case(school_a).case.code
    field = Case._meta.get_field("code")
    monkeypatch.setattr(field, "_get_default", lambda: taken)  # the next draw collides
    monkeypatch.setattr(services, "new_tracking_code", lambda: "ZZZZ2345")
    receipt = file_case(school_a, idempotency_key="kunci-baru")
    assert receipt.created and receipt.case.code == "ZZZZ2345"
    assert Case.objects.count() == 2
    assert CaseEvent.objects.filter(case=receipt.case).count() == 1
