"""The notification centre (peksos.notifications): notify() with each user's choice per kind,
the daily e-mail, the list, reading, the preferences page and the bell."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from peksos.core.models import AuditEvent, OutboxMessage
from peksos.notifications import services
from peksos.notifications.models import Delivery, Kind, Notification, Preference
from tests.factories import messages_of

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:notification-list")
PREFERENCES = reverse("notifications:notification-preferences")
READ_ALL = reverse("notifications:notification-read-all")


def tell(users, text="Sebuah kasus baru di sekolah Anda.", link="/sosdesk/", kind=Kind.NEW_CASE):
    return services.notify(users, kind, text, link)


def open_url(note) -> str:
    return reverse("notifications:notification-open", args=[note.uid])


def read_url(note) -> str:
    return reverse("notifications:notification-read", args=[note.uid])


class Email:
    def __init__(self, payload: dict):
        self.to, self.subject, self.body = payload["to"], payload["subject"], payload["body"]


def emails() -> list[Email]:
    """The e-mails written to the outbox (the test's transaction never commits, so they wait)."""
    rows = OutboxMessage.objects.filter(kind="peksos.core.tasks.send_email").order_by("created_at")
    return [Email(row.payload) for row in rows]


def clear_emails() -> None:
    OutboxMessage.objects.all().delete()


def prefer(user, kind, delivery):
    Preference.objects.create(user=user, kind=kind, delivery=delivery)


# --- notify() and the choices -------------------------------------------------------------------


def test_notify_stores_one_row_per_person_and_emails_at_once_by_default(
    peksos_budi, sosdesk_citra_sdn1
):
    clear_emails()
    notes = tell([peksos_budi, sosdesk_citra_sdn1, peksos_budi])
    assert len(notes) == 2
    assert Notification.objects.filter(recipient=peksos_budi).count() == 1
    assert sorted(m.to[0] for m in emails()) == sorted(
        [peksos_budi.email, sosdesk_citra_sdn1.email]
    )
    assert emails()[0].subject == "Sebuah kasus baru di sekolah Anda."
    assert "/sosdesk/" in emails()[0].body


def test_the_choice_app_only_sends_no_email(peksos_budi):
    prefer(peksos_budi, Kind.NEW_CASE, Delivery.APP)
    clear_emails()
    tell([peksos_budi])
    assert emails() == []
    assert Notification.objects.filter(recipient=peksos_budi, read_at__isnull=True).count() == 1
    # the choice is per kind: another kind is still e-mailed
    tell([peksos_budi], kind=Kind.REFERRAL)
    assert [m.to for m in emails()] == [[peksos_budi.email]]


def test_inactive_people_and_accounts_without_email(peksos_budi, guru_eka):
    guru_eka.email = ""
    guru_eka.save()
    peksos_budi.is_active = False
    peksos_budi.save()
    clear_emails()
    tell([peksos_budi, guru_eka])
    assert emails() == []
    assert list(Notification.objects.values_list("recipient", flat=True)) == [guru_eka.pk]


def test_an_unknown_kind_is_a_programming_error(peksos_budi):
    with pytest.raises(ValueError):
        services.notify([peksos_budi], "tidak_ada", "x", "/")


def test_the_daily_email_gathers_the_day_once_per_person(peksos_budi, koordinator_ani):
    prefer(peksos_budi, Kind.NEW_CASE, Delivery.DAILY)
    prefer(peksos_budi, Kind.REFERRAL, Delivery.DAILY)
    clear_emails()
    start = timezone.now()
    with time_machine.travel(start):
        tell([peksos_budi, koordinator_ani], text="Kasus pertama.")
    with time_machine.travel(start + timedelta(hours=2)):
        tell([peksos_budi], text="Rujukan untuk Anda.", link="/sosdesk/x/", kind=Kind.REFERRAL)
        read_later = tell([peksos_budi], text="Dibaca di aplikasi.")[0]
        services.mark_read(notification=read_later)
    assert [m.to for m in emails()] == [[koordinator_ani.email]]  # his choice: at once
    clear_emails()
    with time_machine.travel(start + timedelta(hours=8)):
        assert services.send_daily_summaries() == 1
        assert services.send_daily_summaries() == 0  # a second run sends nothing twice
    assert [m.to for m in emails()] == [[peksos_budi.email]]
    body = emails()[0].body
    assert "Kasus pertama." in body and "Rujukan untuk Anda." in body and "/sosdesk/x/" in body
    assert "Dibaca di aplikasi." not in body  # read in the app meanwhile
    assert "2 " in emails()[0].subject
    # the next day's notifications go into the next day's e-mail
    clear_emails()
    with time_machine.travel(start + timedelta(days=1)):
        tell([peksos_budi], text="Kasus kedua.")
    with time_machine.travel(start + timedelta(days=1, hours=8)):
        assert services.send_daily_summaries() == 1
    assert "Kasus kedua." in emails()[0].body and "Kasus pertama." not in emails()[0].body


def test_the_daily_task_is_in_the_beat_schedule(settings):
    from peksos.notifications.tasks import send_daily_summaries

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "peksos.notifications.tasks.send_daily_summaries" in tasks
    assert send_daily_summaries.name == "peksos.notifications.tasks.send_daily_summaries"


def test_the_daily_task_runs_through_celery(peksos_budi):
    from peksos.notifications.tasks import send_daily_summaries

    prefer(peksos_budi, Kind.NEW_CASE, Delivery.DAILY)
    tell([peksos_budi])
    clear_emails()
    assert send_daily_summaries.delay().get() == 1
    assert [m.to for m in emails()] == [[peksos_budi.email]]


# --- The list -------------------------------------------------------------------------------


def test_the_list_shows_my_notifications_newest_first(login, peksos_budi, peksos_joko_sdn2):
    start = timezone.now()
    with time_machine.travel(start):
        tell([peksos_budi], text="Yang lama.")
    with time_machine.travel(start + timedelta(minutes=5)):
        tell([peksos_budi], text="Yang baru.")
    tell([peksos_joko_sdn2], text="Milik Joko.")
    html = login(peksos_budi).get(LIST).content.decode()
    assert html.index("Yang baru.") < html.index("Yang lama.")
    assert "Milik Joko." not in html


def test_the_list_pages_keep_the_order(login, peksos_budi):
    start = timezone.now()
    for n in range(30):
        with time_machine.travel(start + timedelta(minutes=n)):
            tell([peksos_budi], text=f"Nomor {n:02d}.")
    client = login(peksos_budi)
    first = client.get(LIST)
    assert "Nomor 29." in first.content.decode() and "Nomor 04." not in first.content.decode()
    second = client.get(first.context["next_url"]).content.decode()
    assert "Nomor 04." in second and "Nomor 29." not in second


def test_the_list_anonymous_and_wrong_method(client, login, peksos_budi):
    response = client.get(LIST)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert login(peksos_budi).post(LIST).status_code == 405


@pytest.mark.parametrize("count", [1, 40])
def test_the_list_query_count_does_not_grow(
    login, peksos_budi, count, django_assert_max_num_queries
):
    for _ in range(count):
        tell([peksos_budi])
    client = login(peksos_budi)
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_a_bad_cursor_is_the_first_page(login, peksos_budi):
    tell([peksos_budi], text="Satu-satunya.")
    response = login(peksos_budi).get(LIST + "?setelah=%%%bukan-kursor")
    assert response.status_code == 200 and "Satu-satunya." in response.content.decode()


# --- Opening and reading --------------------------------------------------------------------


def test_opening_marks_read_and_goes_to_the_link(login, peksos_budi):
    note = tell([peksos_budi], link="/sosdesk/")[0]
    response = login(peksos_budi).post(open_url(note))
    assert response.status_code == 302 and response["Location"] == "/sosdesk/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_never_goes_to_another_site(login, peksos_budi):
    note = tell([peksos_budi], link="//evil.example/")[0]
    response = login(peksos_budi).post(open_url(note))
    assert response["Location"] == LIST


def test_another_persons_notification_is_404(login, peksos_budi, peksos_joko_sdn2):
    note = tell([peksos_joko_sdn2])[0]
    client = login(peksos_budi)
    assert client.post(open_url(note)).status_code == 404
    assert client.post(read_url(note)).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_read_views_anonymous_and_wrong_method(client, login, peksos_budi):
    note = tell([peksos_budi])[0]
    urls = (open_url(note), read_url(note), READ_ALL)
    for url in urls:
        response = client.post(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    signed_in = login(peksos_budi)
    for url in urls:
        assert signed_in.get(url).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_one_and_all_read(login, peksos_budi, peksos_joko_sdn2):
    first = tell([peksos_budi])[0]
    tell([peksos_budi])
    tell([peksos_budi])
    joko = tell([peksos_joko_sdn2])[0]
    client = login(peksos_budi)
    response = client.post(read_url(first), follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert services.unread_count(peksos_budi) == 2
    response = client.post(READ_ALL, follow=True)
    assert "2 pemberitahuan" in " ".join(messages_of(response))
    assert services.unread_count(peksos_budi) == 0
    joko.refresh_from_db()
    assert joko.read_at is None  # only mine


# --- The bell -------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_on_every_page(login, peksos_budi):
    client = login(peksos_budi)
    assert 'id="nav-bell-count"' not in client.get(reverse("home")).content.decode()
    tell([peksos_budi])
    tell([peksos_budi])
    for url in (reverse("home"), reverse("help"), LIST):
        html = client.get(url).content.decode()
        assert 'id="nav-bell-count">2<' in html, url


def test_the_bell_counts_up_to_a_cap_and_says_so(login, peksos_budi, monkeypatch):
    """Past the cap (100; here 3) the badge and its spoken text say "2+" ("99+")."""
    from home import navigation

    monkeypatch.setattr(navigation, "BADGE_CAP", 3)
    client = login(peksos_budi)
    for _ in range(2):
        tell([peksos_budi])
    html = client.get(reverse("help")).content.decode()
    assert 'id="nav-bell-count">2<' in html and "2 pemberitahuan belum dibaca" in html
    tell([peksos_budi])
    html = client.get(reverse("help")).content.decode()
    assert 'id="nav-bell-count">2+<' in html and "2+ pemberitahuan belum dibaca" in html


def test_the_bell_costs_one_query(login, peksos_budi):
    """The bell's count is one query of the page (with the inbox's count, for those who have
    an inbox: tests/home/test_inbox.py)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tell([peksos_budi])
    client = login(peksos_budi)
    client.get(reverse("help"))
    with CaptureQueriesContext(connection) as with_bell:
        client.get(reverse("help"))
    bell = [
        q["sql"] for q in with_bell.captured_queries if "notifications_notification" in q["sql"]
    ]
    assert len(bell) == 1, bell


# --- Preferences ----------------------------------------------------------------------------


def test_preferences_page_and_save(login, peksos_budi):
    client = login(peksos_budi)
    response = client.get(PREFERENCES)
    assert response.status_code == 200
    assert response.context["form"][Kind.NEW_CASE].value() == Delivery.EMAIL
    data = {kind.value: Delivery.EMAIL for kind in Kind}
    data[Kind.NEW_CASE] = Delivery.APP
    data[Kind.FORUM_ANSWER] = Delivery.DAILY
    response = client.post(PREFERENCES, data)
    assert response.status_code == 302
    assert dict(Preference.objects.filter(user=peksos_budi).values_list("kind", "delivery")) == {
        Kind.NEW_CASE: Delivery.APP,
        Kind.FORUM_ANSWER: Delivery.DAILY,
    }
    assert AuditEvent.objects.filter(action="notification_preferences_saved").count() == 1
    # respected by notify()
    clear_emails()
    tell([peksos_budi])
    assert emails() == []
    # back to the default removes the row
    data[Kind.NEW_CASE] = Delivery.EMAIL
    client.post(PREFERENCES, data)
    assert not Preference.objects.filter(user=peksos_budi, kind=Kind.NEW_CASE).exists()


def test_preferences_bad_input_keeps_the_rest(login, peksos_budi):
    data = {kind.value: Delivery.DAILY for kind in Kind}
    data[Kind.NEW_CASE] = "merpati"
    del data[Kind.REFERRAL]
    response = login(peksos_budi).post(PREFERENCES, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert Kind.NEW_CASE in form.errors and Kind.REFERRAL in form.errors
    assert form[Kind.FORUM_ANSWER].value() == Delivery.DAILY  # what was chosen is kept
    assert "Pilih cara" in response.content.decode()
    assert not Preference.objects.exists()


def test_preferences_anonymous_and_wrong_method(client, login, peksos_budi):
    assert client.get(PREFERENCES).status_code == 302
    assert client.post(PREFERENCES, {}).status_code == 302
    assert login(peksos_budi).put(PREFERENCES).status_code == 405


def test_every_role_has_notifications(login, guru_eka, ortu_fajar, kepsek_indah):
    for user in (guru_eka, ortu_fajar, kepsek_indah):
        assert login(user).get(LIST).status_code == 200
        assert login(user).get(PREFERENCES).status_code == 200
