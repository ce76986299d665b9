"""The embedded default (SQLite) under several users at once (issue #21, finding 1).

A copy of the test database is written to a file in a temporary folder (WAL, as in the embedded
default) and several threads, each with its own connection and its own browser, register on the
forum, check in on a phone, request reports and read the figures at the same moment. Every
request must succeed and every row must be there: no "database is locked". PostgreSQL has row
locks and its own tests; this is about SQLite only.
"""

import sqlite3
import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from activities.models import Activity, Attendee
from activities.services import sessions as activity_services
from forum import registration as forum_registration
from forum.models import InviteCode, Registration
from reports.models import Report
from visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 5  # of each kind, all at once
PHONE_UA = "Mozilla/5.0 (Linux; Android 10; SM-A105F) Chrome/120 Mobile Safari/537.36"


@pytest.fixture
def file_database(tmp_path):
    """Point new connections (those of the threads) at a file copy of the test database."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: the embedded default")
    path = tmp_path / "peksos.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    settings_dict = connections.settings["default"]
    saved = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    yield path
    settings_dict["NAME"] = saved


def logged_in(user) -> Client:
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client()
    client.force_login(user, backend="peksos.accounts.backends.UsernameOrEmailBackend")
    device, _ = StaticDevice.objects.get_or_create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def run_together(jobs) -> list[str]:
    """Run each job in its own thread (own connection), started at the same instant."""
    errors: list[str] = []
    start = threading.Barrier(len(jobs))

    def worker(job):
        try:
            start.wait()
            job()
        except Exception as error:  # every failure is collected, none is lost
            errors.append(f"{job.__name__}: {type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def in_thread(query):
    """Read through a fresh connection (the file database), as the threads do."""
    result = []

    def read():
        try:
            result.append(query())
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return result[0]


def test_several_users_at_once_on_the_embedded_default(
    school_a, peksos_budi, koordinator_ani, monkeypatch, tmp_path, request
):
    monkeypatch.setattr("reports.pdf.render_pdf", lambda html, **kw: b"%PDF-1.7\n%%EOF\n")
    monkeypatch.setattr(forum_registration, "REGISTRATIONS_PER_HOUR", 100)
    monkeypatch.setattr(activity_services, "MAX_SELF_CHECKINS", 100)
    media = tmp_path / "media"
    request.getfixturevalue("settings").MEDIA_ROOT = str(media)
    InviteCode.objects.create(school=school_a, code="KMTR2345", label="Poster")
    visit = Visit(school=school_a, state=Visit.State.AGREED, kind=Visit.Kind.TRAINING)
    visit.set_date(date.today())
    visit.save()
    activity = Activity.objects.create(
        visit=visit, kind=visit.kind, date=visit.date, participant_forms_open=True
    )
    readers = [logged_in(koordinator_ani) for _ in range(CLIENTS)]
    checkin = reverse("participant:checkin", args=[activity.public_code])
    request.getfixturevalue("file_database")
    statuses: list[tuple[str, int]] = []

    def register(n):
        def job():
            response = Client().post(
                reverse("forum:registration-create"),
                {
                    "invite_code": "KMTR2345",
                    "role": "orang_tua",
                    "first_name": f"Ibu {n}",
                    "username": f"ortu_serentak_{n}",
                    "email": f"ortu{n}@example.org",
                    "password1": "lebah-madu-pagi-77",
                    "password2": "lebah-madu-pagi-77",
                    "rules": "on",
                },
                REMOTE_ADDR=f"10.1.0.{n + 1}",
            )
            statuses.append(("register", response.status_code))

        job.__name__ = f"register_{n}"
        return job

    def check_in(n):
        def job():
            response = Client(HTTP_USER_AGENT=PHONE_UA).post(
                checkin, {"name": f"Bapak {n}", "group": "guru", "sex": "L"}
            )
            statuses.append(("check_in", response.status_code))

        job.__name__ = f"check_in_{n}"
        return job

    def report_and_figures(n):
        def job():
            client = readers[n]
            response = client.post(
                reverse("reports:report-create"),
                {"kind": "kota", "period": "tahun", "school_year": "2025"},
            )
            statuses.append(("report", response.status_code))
            response = client.get(reverse("sosdesk:case-figures"))
            statuses.append(("figures", response.status_code))

        job.__name__ = f"report_and_figures_{n}"
        return job

    jobs = [make(n) for n in range(CLIENTS) for make in (register, check_in, report_and_figures)]
    errors = run_together(jobs)

    assert errors == []
    expected = {"register": 302, "check_in": 302, "report": 302, "figures": 200}
    assert [(kind, code) for kind, code in statuses if code != expected[kind]] == []
    assert len(statuses) == 4 * CLIENTS
    assert in_thread(lambda: Registration.objects.count()) == CLIENTS
    assert in_thread(lambda: Attendee.objects.filter(activity=activity).count()) == CLIENTS
    assert in_thread(lambda: Report.objects.count()) == CLIENTS
