"""Guardians linked to a child's record (issue #17): the record's PEKSOS or a Koordinator links
a parent's account of the child's school (with a reason) and ends the link (with a reason),
both audited without the child's name; only linked parents and the school's teachers may be
asked for an observation, never another family of the school (docs/design.md §3.10, §4)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from monitoring import observations, services
from monitoring.forms import ObservationRequestForm
from monitoring.models import GuardianLink, ObservationRequest
from monitoring.permissions import observers_of
from peksos.core.models import AuditEvent
from tests.factories import CANARY, make_user, open_record
from tests.factories import record_detail as detail

REASON = "Ayah kandung, terdaftar di buku induk sekolah."


def t(msgid: str) -> str:
    with translation.override("id"):
        return translation.gettext(msgid)


def link_url(record) -> str:
    return reverse("monitoring:guardian-link", args=[record.code])


def end_url(link) -> str:
    return reverse("monitoring:guardian-end", args=[link.record.code, link.pk])


def end_data(link, reason="Salah akun, bukan orang tua anak ini.") -> dict:
    return {f"end-{link.pk}-end_reason": reason}


@pytest.fixture
def record(school_a, peksos_budi):
    return open_record(school_a, peksos_budi, peksos=peksos_budi)


@pytest.fixture
def other_parent(school_a):
    """A parent of the same school, of another family."""
    return make_user("ortu_gilang", "orang_tua", school_a)


@pytest.fixture
def linked(record, ortu_fajar, peksos_budi):
    return observations.guardian_link(
        record=record, guardian=ortu_fajar, reason=REASON, by=peksos_budi
    )


def ask_data(addressee) -> dict:
    return {"addressee": addressee.pk, "child_label": "Nurul", "days": "7"}


# --- Who may be asked -----


def test_unlinked_parent_of_the_school_is_not_offered_and_is_refused(
    login, record, ortu_fajar, other_parent, guru_eka, peksos_budi, linked
):
    assert set(observers_of(record)) == {ortu_fajar, guru_eka}
    form = ObservationRequestForm(record=record)
    offered = set(form.fields["addressee"].queryset)
    assert other_parent not in offered and offered == {ortu_fajar, guru_eka}
    # Posted anyway: the form's queryset refuses it, nothing is asked.
    response = login(peksos_budi).post(
        reverse("monitoring:observation-request", args=[record.code]), ask_data(other_parent)
    )
    assert response.status_code == 400
    assert "addressee" in response.context["observation_form"].errors
    assert not ObservationRequest.objects.exists()
    # The service refuses it too, whatever the caller.
    refusal = t("Choose a teacher of the child's school or a parent linked to this record.")
    with pytest.raises(ValidationError, match=re.escape(refusal)):
        observations.observation_request(
            record=record, addressee=other_parent, child_label="Nurul", by=peksos_budi
        )


def test_a_parent_linked_to_another_child_is_not_offered_for_this_one(
    record, ortu_fajar, peksos_budi, school_a
):
    sibling = open_record(school_a, peksos_budi, name="Rina Wati")
    observations.guardian_link(record=sibling, guardian=ortu_fajar, reason=REASON, by=peksos_budi)
    assert ortu_fajar in observers_of(sibling)
    assert ortu_fajar not in observers_of(record)


# --- Linking -----


def test_peksos_links_a_parent_with_a_reason_audited_without_names(
    login, record, ortu_fajar, peksos_budi
):
    client = login(peksos_budi)
    page = client.get(detail(record))
    assert ortu_fajar in page.context["guardian_form"].fields["guardian"].queryset
    response = client.post(link_url(record), {"guardian": ortu_fajar.pk, "reason": REASON})
    assert response.status_code == 302 and response["Location"] == detail(record)
    link = GuardianLink.objects.get()
    assert (link.record, link.guardian, link.reason, link.linked_by) == (
        record,
        ortu_fajar,
        REASON,
        peksos_budi,
    )
    assert link.is_active and ortu_fajar in observers_of(record)
    [row] = AuditEvent.objects.filter(action="child_guardian_linked")
    assert row.object_id == str(record.pk) and row.actor == peksos_budi
    assert CANARY not in str(row.__dict__) and REASON not in str(row.__dict__)
    html = client.get(detail(record)).content.decode()
    assert REASON in html and end_url(link) in html
    # Linked already: no longer offered, refused if posted again.
    response = client.post(link_url(record), {"guardian": ortu_fajar.pk, "reason": REASON})
    assert response.status_code == 400 and GuardianLink.objects.count() == 1


def test_koordinator_links_too(login, record, ortu_fajar, koordinator_ani):
    response = login(koordinator_ani).post(
        link_url(record), {"guardian": ortu_fajar.pk, "reason": REASON}
    )
    assert response.status_code == 302
    assert GuardianLink.objects.get().linked_by == koordinator_ani


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"reason": "   "}, "reason", "Give the reason for the link."),
        ({"guardian": ""}, "guardian", "Choose the parent or guardian."),
        ({"guardian": "guru"}, "guardian", "Choose a parent of the child's school not linked yet."),
    ],
)
def test_bad_links_keep_what_was_typed_with_a_clear_message(
    login, record, ortu_fajar, guru_eka, peksos_budi, bad, field, message
):
    data = {"guardian": ortu_fajar.pk, "reason": "Ibu kandung"}
    data.update({k: (guru_eka.pk if v == "guru" else v) for k, v in bad.items()})
    response = login(peksos_budi).post(link_url(record), data)
    assert response.status_code == 400
    form = response.context["guardian_form"]
    assert form.errors[field] == [t(message)]
    assert form.data["reason"] == data["reason"]
    assert escape(t(message)) in response.content.decode()
    assert not GuardianLink.objects.exists()


def test_a_parent_of_another_school_cannot_be_linked(login, record, peksos_budi, school_b):
    outsider = make_user("ortu_hana", "orang_tua", school_b)
    response = login(peksos_budi).post(
        link_url(record), {"guardian": outsider.pk, "reason": REASON}
    )
    assert response.status_code == 400 and not GuardianLink.objects.exists()


def test_a_closed_record_takes_no_new_link(record, ortu_fajar, peksos_budi, koordinator_ani):
    services.record_close_request(
        record=record, outcome="tujuan_tercapai", note="Ok.", by=peksos_budi
    )
    services.record_close_approve(record=record, by=koordinator_ani)
    refusal = t("This record is closed: it can no longer be changed.")
    with pytest.raises(ValidationError, match=re.escape(refusal)):
        observations.guardian_link(
            record=record, guardian=ortu_fajar, reason=REASON, by=peksos_budi
        )


# --- Ending a link -----


def test_ending_a_link_with_a_reason_cancels_the_waiting_requests(
    login, record, linked, ortu_fajar, peksos_budi
):
    asked = observations.observation_request(
        record=record, addressee=ortu_fajar, child_label="Nurul", by=peksos_budi
    )
    response = login(peksos_budi).post(end_url(linked), end_data(linked))
    assert response.status_code == 302 and response["Location"] == detail(record)
    linked.refresh_from_db()
    assert not linked.is_active and linked.ended_by == peksos_budi
    assert linked.end_reason.startswith("Salah akun")
    assert ortu_fajar not in observers_of(record)
    asked.refresh_from_db()
    assert asked.status == ObservationRequest.Status.CANCELLED
    assert AuditEvent.objects.filter(
        action="child_guardian_unlinked", object_id=str(record.pk)
    ).exists()
    # Ended already: a message, nothing changes.
    response = login(peksos_budi).post(end_url(linked), end_data(linked), follow=True)
    assert t("This link has already ended.") in [str(m) for m in response.context["messages"]]
    # The parent may be linked again later: a new row.
    observations.guardian_link(record=record, guardian=ortu_fajar, reason=REASON, by=peksos_budi)
    assert GuardianLink.objects.active().count() == 1 and GuardianLink.objects.count() == 2


def test_ending_without_a_reason_is_refused_with_a_clear_message(
    login, record, linked, peksos_budi
):
    response = login(peksos_budi).post(end_url(linked), end_data(linked, reason="  "))
    assert response.status_code == 400
    assert t("Give the reason for ending the link.") in response.content.decode()
    linked.refresh_from_db()
    assert linked.is_active


def test_a_link_of_another_record_is_404(login, record, linked, peksos_budi, school_a):
    other = open_record(school_a, peksos_budi, name="Rina Wati")
    url = reverse("monitoring:guardian-end", args=[other.code, linked.pk])
    assert login(peksos_budi).post(url, end_data(linked)).status_code == 404
    linked.refresh_from_db()
    assert linked.is_active


# --- Access -----


def test_wrong_method_and_anonymous(client, login, record, linked, ortu_fajar, peksos_budi):
    for url in (link_url(record), end_url(linked)):
        response = client.post(url, {"guardian": ortu_fajar.pk, "reason": REASON})
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")
        assert login(peksos_budi).get(url).status_code == 405
        client.logout()
    assert GuardianLink.objects.count() == 1 and linked.is_active


@pytest.mark.parametrize(
    "persona", ["peksos_joko_sdn2", "sosdesk_citra_sdn1", "kepsek_indah", "guru_eka", "ortu_fajar"]
)
def test_outsiders_get_404(login, request, persona, record, linked, other_parent):
    client = login(request.getfixturevalue(persona))
    data = {"guardian": other_parent.pk, "reason": REASON}
    assert client.post(link_url(record), data).status_code == 404
    assert client.post(end_url(linked), end_data(linked)).status_code == 404
    assert GuardianLink.objects.count() == 1 and GuardianLink.objects.get().is_active
    assert AuditEvent.objects.filter(action="child_record_access_denied").count() == 2


def test_the_referred_psychologist_gets_403_and_no_list(
    login, record, linked, other_parent, psikolog_gita, koordinator_ani
):
    services.consent_record(
        record=record,
        purpose="rujukan",
        given_by="ibu",
        given_on=timezone.localdate(),
        method="lisan",
        witness="Wati",
        by=koordinator_ani,
    )
    services.record_refer(record=record, psikolog=psikolog_gita, by=koordinator_ani)
    client = login(psikolog_gita)
    data = {"guardian": other_parent.pk, "reason": REASON}
    assert client.post(link_url(record), data).status_code == 403
    assert client.post(end_url(linked), end_data(linked)).status_code == 403
    page = client.get(detail(record))
    assert page.status_code == 200 and page.context["guardian_rows"] is None
    assert REASON not in page.content.decode()
    assert GuardianLink.objects.count() == 1 and GuardianLink.objects.get().is_active


def test_record_page_query_count_does_not_grow_with_links(
    login, record, peksos_budi, school_a, django_assert_num_queries
):
    client = login(peksos_budi)
    observations.guardian_link(
        record=record,
        guardian=make_user("ortu_satu", "orang_tua", school_a),
        reason=REASON,
        by=peksos_budi,
    )
    client.get(detail(record))
    with CaptureQueriesContext(connection) as few:
        client.get(detail(record))
    for n in ("dua", "tiga", "empat"):
        parent = make_user(f"ortu_{n}", "orang_tua", school_a)
        observations.guardian_link(record=record, guardian=parent, reason=REASON, by=peksos_budi)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(detail(record))
    assert len(response.context["guardian_rows"]) == 4
