"""Participants' feedback on an activity (issue 5): anonymous (nothing identifying stored),
one answer per device (a second submit changes nothing), only while the forms are open;
results per activity and school, comments escaped, and nothing shown to school-side roles
under 5 answers. Views per docs/design.md §3.10."""

import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, Feedback
from activities.services import feedback as fs
from peksos.core.models import AuditEvent
from tests.factories import make_activity
from visits.models import Visit

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def campaign(school_a, peksos_budi):
    return make_activity(school_a, Visit.Kind.CAMPAIGN)


def give(activity, device, s=4, u=5, c=3, comment="", group=""):
    return fs.submit_feedback(
        activity,
        device=device,
        satisfaction=s,
        usefulness=u,
        clarity=c,
        comment=comment,
        group=group,
    )


def form_data(**kw):
    return {"satisfaction": "5", "usefulness": "4", "clarity": "3", "comment": "", "group": ""} | kw


def test_a_participant_gives_feedback_once(client, campaign):
    url = reverse("participant:feedback", args=[campaign.public_code])
    page = client.get(url)
    assert page.status_code == 200 and "umpan balik" in text(page).lower()
    response = client.post(url, form_data(comment="Materinya jelas sekali", group="orang_tua"))
    assert response.status_code == 302 and response.url == url
    done = client.get(url)
    assert "participant-done" in done.content.decode()
    response = client.post(url, form_data(satisfaction="1", comment="lagi"))
    assert Feedback.objects.count() == 1
    feedback = Feedback.objects.get()
    assert (feedback.satisfaction, feedback.usefulness, feedback.clarity) == (5, 4, 3)
    assert feedback.comment == "Materinya jelas sekali" and feedback.group == "orang_tua"
    # Nothing identifying: no user, no address, no time of day; the cookie itself not stored.
    fields = {f.name for f in Feedback._meta.get_fields()}
    assert not fields & {"user", "ip", "created_at", "created_by"}
    assert client.cookies["peksos_peserta"].value not in feedback.device_hash
    audit = AuditEvent.objects.get(action="activity_feedback_given")
    assert audit.ip is None and audit.actor is None
    # Another phone answers separately.
    Client().post(url, form_data())
    assert Feedback.objects.count() == 2


@pytest.mark.parametrize(
    "data, message",
    [
        (form_data(satisfaction=""), "Pilih angka 1 sampai 5."),
        (form_data(usefulness="6"), "Pilih angka 1 sampai 5."),
        (form_data(clarity="0"), "Pilih angka 1 sampai 5."),
        (form_data(clarity="abc"), "Pilih angka 1 sampai 5."),
        (form_data(comment="x" * 1001), "1000"),
        (form_data(group="kepala"), ""),
    ],
)
def test_bad_input_is_refused_and_kept(client, campaign, data, message):
    response = client.post(reverse("participant:feedback", args=[campaign.public_code]), data)
    assert response.status_code == 200 and "form-errors" in response.content.decode()
    assert message in text(response)
    if data["comment"]:
        assert data["comment"] in text(response)
    assert not Feedback.objects.exists()


def test_nul_and_control_characters_are_dropped(client, campaign):
    url = reverse("participant:feedback", args=[campaign.public_code])
    client.post(url, form_data(comment="baik\x00 sekali\x07"))
    assert Feedback.objects.get().comment == "baik sekali"


def test_closed_or_cancelled_activities_take_no_feedback(client, campaign):
    url = reverse("participant:feedback", args=[campaign.public_code])
    campaign.participant_forms_open = False
    campaign.save()
    response = client.post(url, form_data())
    assert response.status_code == 200 and "participant-closed" in response.content.decode()
    campaign.participant_forms_open = True
    campaign.state = Activity.State.CANCELLED
    campaign.save()
    client.post(url, form_data())
    assert not Feedback.objects.exists()
    assert client.get(reverse("participant:feedback", args=["nope"])).status_code == 404
    assert client.delete(url).status_code == 405


def test_summary_per_activity_and_school(school_a, school_b, campaign):
    other = make_activity(school_b, Visit.Kind.ONE_DAY)
    give(campaign, "d1", 5, 5, 5, comment="ok")
    give(campaign, "d2", 3, 4, 1)
    give(other, "d1", 1, 2, 3)
    assert not give(campaign, "d1", 1, 1, 1)  # the same device again: nothing changes
    summary = fs.feedback_summary(Activity.objects.all())
    assert summary["overall"] == {
        "n": 3,
        "satisfaction": 3.0,
        "usefulness": 3.67,
        "clarity": 3.0,
        "comments": 1,
    }
    by_activity = {row["activity_id"]: row for row in summary["by_activity"]}
    assert by_activity[campaign.pk]["n"] == 2 and by_activity[campaign.pk]["satisfaction"] == 4.0
    by_school = {row["school_id"]: row for row in summary["by_school"]}
    assert by_school[school_b.pk]["clarity"] == 3.0 and by_school[school_a.pk]["clarity"] == 3.0
    assert fs.distribution(campaign)["clarity"] == [1, 0, 0, 0, 1]


def test_results_page_escapes_comments_and_hides_small_samples_from_the_school(
    login, koordinator_ani, kepsek_indah, sosdesk_citra_sdn1, campaign
):
    for i in range(4):
        give(campaign, f"d{i}", comment=XSS if i == 0 else f"komentar {i}")
    url = reverse("activities:feedback", args=[campaign.pk])
    staff = login(koordinator_ani).get(url)
    body = staff.content.decode()
    assert staff.status_code == 200 and "komentar 1" in body
    assert (
        "<script>alert(1)</script>" not in body
        and "&lt;script&gt;" in body
        and "<img src=x" not in body
    )
    for user in (kepsek_indah, sosdesk_citra_sdn1):
        page = login(user).get(url).content.decode()
        assert 'id="feedback-hidden"' in page and "komentar 1" not in page
    give(campaign, "d9", comment="komentar 9")  # the fifth answer
    for user in (kepsek_indah, sosdesk_citra_sdn1):
        page = login(user).get(url).content.decode()
        assert (
            'id="feedback-hidden"' not in page
            and "komentar 9" in page
            and 'id="feedback-results"' in page
        )


def test_results_page_scope_and_methods(
    login, client, campaign, peksos_joko_sdn2, sosdesk_dedi_sdn2, guru_eka, ortu_fajar
):
    url = reverse("activities:feedback", args=[campaign.pk])
    assert client.get(url).status_code == 302
    assert login(peksos_joko_sdn2).get(url).status_code == 404
    assert login(sosdesk_dedi_sdn2).get(url).status_code == 404
    assert login(guru_eka).get(url).status_code == 403
    assert login(ortu_fajar).get(url).status_code == 403
    assert login(peksos_joko_sdn2).post(url).status_code == 405


def test_overview_is_scoped_suppressed_and_constant(
    login, koordinator_ani, kepsek_indah, school_a, school_b, campaign
):
    give(campaign, "a1")
    other = make_activity(school_b)
    give(other, "b1")
    url = reverse("activities:feedback-overview")
    page = text(login(kepsek_indah).get(url))
    assert school_a.name in page and school_b.name not in page and "data-suppressed" in page
    client = login(koordinator_ani)
    page = text(client.get(url))
    assert school_b.name in page and "data-suppressed" not in page

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for i in range(5):
        give(make_activity(school_b, Visit.Kind.TRAINING), f"x{i}")
    assert count() == few
