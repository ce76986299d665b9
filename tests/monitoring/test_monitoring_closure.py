"""Closing a child's record: asked for with an outcome and a reason, approved (or turned down)
by a Koordinator who did not ask (four eyes), audited; a closed record is read-only."""

import pytest
from django.urls import reverse
from django.utils import translation

from monitoring import services
from monitoring.models import ChildRecord, ProgressNote
from peksos.core.models import AuditEvent
from tests.factories import CANARY, make_user, open_record
from tests.factories import record_detail as detail

REASON = {"outcome": "tujuan_tercapai", "note": "Goals met; the school keeps an eye."}


def t(msgid: str) -> str:
    with translation.override("id"):
        return translation.gettext(msgid)


def url(name: str, record) -> str:
    return reverse(f"monitoring:{name}", args=[record.code])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def record(school_a, peksos_budi):
    return open_record(school_a, peksos_budi, peksos=peksos_budi)


@pytest.fixture
def requested(record, peksos_budi):
    return services.record_close_request(record=record, by=peksos_budi, **REASON)


def test_peksos_asks_koordinator_approves(login, peksos_budi, koordinator_ani, record):
    client = login(peksos_budi)
    response = client.post(url("record-close", record), REASON, follow=True)
    assert t("Closure requested: a Koordinator will approve it.") in messages_of(response)
    record.refresh_from_db()
    assert record.is_open and record.closure_requested
    html = response.content.decode()
    assert REASON["note"] in html and url("record-close-approve", record) not in html
    response = login(koordinator_ani).get(detail(record))
    assert url("record-close-approve", record) in response.content.decode()
    response = login(koordinator_ani).post(url("record-close-approve", record), follow=True)
    assert t("The record was closed.") in messages_of(response)
    record.refresh_from_db()
    assert record.status == ChildRecord.Status.CLOSED and record.closed_by == koordinator_ani
    assert record.outcome == "tujuan_tercapai" and record.closing_note == REASON["note"]
    actions = set(
        AuditEvent.objects.for_object(record)
        .filter(action__in=["child_closure_requested", "child_record_closed"])
        .values_list("action", "actor__username")
    )
    assert actions == {
        ("child_closure_requested", "peksos_budi"),
        ("child_record_closed", "koordinator_ani"),
    }
    for row in AuditEvent.objects.values_list():
        assert CANARY not in repr(row) and REASON["note"] not in repr(row)


def test_four_eyes_the_asker_cannot_approve(login, koordinator_ani, record):
    client = login(koordinator_ani)
    client.post(url("record-close", record), REASON)
    html = client.get(detail(record)).content.decode()
    assert url("record-close-approve", record) not in html
    assert t("Another Koordinator must approve a closure you asked for yourself.") in html
    response = client.post(url("record-close-approve", record), follow=True)
    assert t("Another Koordinator must approve a closure you asked for yourself.") in messages_of(
        response
    )
    record.refresh_from_db()
    assert record.is_open
    second = make_user("koordinator_rina", "koordinator")
    assert login(second).post(url("record-close-approve", record)).status_code == 302
    record.refresh_from_db()
    assert not record.is_open and record.closed_by == second


def test_turned_down_stays_open(login, koordinator_ani, requested):
    response = login(koordinator_ani).post(url("record-close-reject", requested), follow=True)
    assert t("Closure turned down: the record stays open.") in messages_of(response)
    requested.refresh_from_db()
    assert requested.is_open and not requested.closure_requested and requested.outcome == ""
    assert AuditEvent.objects.for_object(requested).filter(action="child_closure_rejected")
    # Nothing to approve any more.
    response = login(koordinator_ani).post(url("record-close-approve", requested), follow=True)
    assert t("Nobody has asked to close this record.") in messages_of(response)
    requested.refresh_from_db()
    assert requested.is_open


def test_closed_is_read_only(login, peksos_budi, koordinator_ani, requested):
    services.record_close_approve(record=requested, by=koordinator_ani)
    client = login(peksos_budi)
    note = {"noted_on": "2025-02-03", "source": "guru", "text": "After closure."}
    response = client.post(url("note-add", requested), note, follow=True)
    assert t("This record is closed: it can no longer be changed.") in messages_of(response)
    assert not ProgressNote.objects.exists()
    response = client.post(url("record-close", requested), REASON, follow=True)
    assert t("This record is closed: it can no longer be changed.") in messages_of(response)
    html = client.get(detail(requested)).content.decode()
    for name in ("note-add", "record-close", "observation-request"):
        assert url(name, requested) not in html
    response = login(koordinator_ani).post(url("record-close-reject", requested), follow=True)
    assert t("This record is closed: it can no longer be changed.") in messages_of(response)


@pytest.mark.parametrize("name", ["record-close-approve", "record-close-reject"])
def test_deciding_refuses_get_anonymous_peksos_and_outsiders(
    client, login, name, requested, peksos_budi, peksos_joko_sdn2, psikolog_gita, ortu_fajar
):
    response = client.post(url(name, requested))
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert login(peksos_budi).get(url(name, requested)).status_code == 405
    assert login(peksos_budi).post(url(name, requested)).status_code == 403  # sees, may not
    for outsider in (peksos_joko_sdn2, psikolog_gita, ortu_fajar):
        assert login(outsider).post(url(name, requested)).status_code == 404
    requested.refresh_from_db()
    assert requested.is_open and requested.closure_requested
    assert AuditEvent.objects.filter(action="child_record_access_denied").count() == 4


def test_a_new_request_replaces_the_old_one(login, peksos_budi, requested):
    data = {"outcome": "pindah", "note": "The family moved to Lampung Timur."}
    login(peksos_budi).post(url("record-close", requested), data)
    requested.refresh_from_db()
    assert requested.outcome == "pindah" and requested.closing_note == data["note"]
    assert requested.is_open


def test_bad_request_keeps_what_was_typed(login, peksos_budi, record):
    data = {"outcome": "", "note": "Keep this reason"}
    response = login(peksos_budi).post(url("record-close", record), data)
    assert response.status_code == 400
    assert "Keep this reason" in response.content.decode()
    assert response.context["close_form"].errors["outcome"]
