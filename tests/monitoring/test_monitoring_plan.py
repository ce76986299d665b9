"""Monitoring of a child: consent (and its best-interest override), referral, the support plan,
goals with goal attainment scaling, interventions, progress notes, SDQ and wellbeing measures,
the charts, the wellbeing indicator and closure (docs/design.md §3.10)."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from monitoring import services
from monitoring.measures import wellbeing_changes, wellbeing_improved
from monitoring.models import (
    ChildRecord,
    Consent,
    Goal,
    GoalScore,
    Intervention,
    ProgressNote,
    SdqScore,
    SupportPlan,
    WellbeingRating,
)
from peksos.core.models import AuditEvent, OutboxMessage
from tests.factories import CANARY, gps_jpeg, open_record
from tests.factories import record_detail as detail

TODAY = timezone.localdate


def t(msgid: str) -> str:
    """The text as the page shows it (Indonesian first, once the catalogue has it)."""
    with translation.override("id"):
        return translation.gettext(msgid)


# Each action: URL name and a valid POST.
ACTIONS = {
    "consent-add": {
        "purpose": "dukungan",
        "given_by": "ibu",
        "given_on": "2025-01-10",
        "method": "lisan",
        "witness": "Ibu Wati",
    },
    "consent-override": {
        "purpose": "rujukan",
        "reason": "The father, the guardian, is the alleged abuser of the child.",
        "legal_basis": "UU 35/2014 Pasal 59A",
    },
    "plan-save": {"tier": "3", "needs": "Feels unsafe at break time."},
    "plan-approve": {},
    "goal-add": {
        "description": "Plays with two classmates at break.",
        "target_date": (TODAY() + timedelta(days=60)).isoformat(),
    },
    "intervention-add": {
        "kind": "konseling",
        "provider": "PEKSOS",
        "frequency": "mingguan",
        "starts_on": "2025-02-01",
    },
    "record-refer": {},
    "note-add": {"noted_on": "2025-02-03", "source": "guru", "text": "Quieter this week."},
    "sdq-add": {
        "informant": "guru",
        "taken_on": "2025-02-03",
        "emotional": "6",
        "conduct": "3",
        "hyperactivity": "5",
        "peer": "4",
        "prosocial": "7",
    },
    "wellbeing-add": {"rater": "guru", "rated_on": "2025-02-03", "score": "4"},
    "record-close": {"outcome": "tujuan_tercapai", "note": "Settled."},
}
PROGRESS_ACTIONS = {"note-add", "sdq-add", "wellbeing-add"}
BLOCKED = (
    "Referral is blocked: record the guardian's consent for referral first (or a "
    "Koordinator's best-interest override)."
)


def url(name: str, record, *args) -> str:
    return reverse(f"monitoring:{name}", args=[record.code, *args])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def record(school_a, peksos_budi):
    return open_record(school_a, peksos_budi, peksos=peksos_budi)


def give_consent(record, by, purpose=Consent.Purpose.REFERRAL) -> Consent:
    return services.consent_record(
        record=record,
        purpose=purpose,
        given_by=Consent.Relation.MOTHER,
        given_on=TODAY(),
        method=Consent.Method.VERBAL,
        witness="Ibu Guru Wati",
        by=by,
    )


@pytest.fixture
def referred(record, peksos_budi, psikolog_gita):
    give_consent(record, peksos_budi)
    return services.record_refer(record=record, psikolog=psikolog_gita, by=peksos_budi)


# --- Access to the actions ----------------------------------------------------------------------


def test_anonymous_actions_go_to_login(client, record):
    for name, data in ACTIONS.items():
        response = client.post(url(name, record), data)
        assert response.status_code == 302 and response["Location"].startswith("/masuk/"), name
    assert not Consent.objects.exists() and not ProgressNote.objects.exists()


def test_actions_refuse_get(login, koordinator_ani, record):
    client = login(koordinator_ani)
    for name in ACTIONS:
        assert client.get(url(name, record)).status_code == 405, name
    assert not AuditEvent.objects.filter(action__startswith="child_").exclude(
        action="child_record_opened"
    )


@pytest.mark.parametrize(
    "persona", ["peksos_joko_sdn2", "psikolog_gita", "sosdesk_citra_sdn1", "guru_eka", "ortu_fajar"]
)
def test_outsiders_get_404_on_every_action(login, request, persona, record):
    client = login(request.getfixturevalue(persona))
    for name, data in ACTIONS.items():
        assert client.post(url(name, record), data).status_code == 404, name
    record.refresh_from_db()
    assert record.is_open and not Consent.objects.exists() and not ProgressNote.objects.exists()


def test_referred_psikolog_adds_progress_but_manages_nothing(login, psikolog_gita, referred):
    client = login(psikolog_gita)
    for name, data in ACTIONS.items():
        response = client.post(url(name, referred), data)
        expected = 302 if name in PROGRESS_ACTIONS else 403
        assert response.status_code == expected, name
    assert ProgressNote.objects.count() == SdqScore.objects.count() == 1
    assert WellbeingRating.objects.count() == 1
    referred.refresh_from_db()
    assert referred.is_open and not SupportPlan.objects.exists()


def test_peksos_may_not_override_or_approve(login, peksos_budi, record):
    client = login(peksos_budi)
    client.post(url("plan-save", record), ACTIONS["plan-save"])
    assert client.post(
        url("consent-override", record), ACTIONS["consent-override"]
    ).status_code == (403)
    assert client.post(url("plan-approve", record)).status_code == 403
    assert not Consent.objects.exists()
    assert SupportPlan.objects.get().approved_at is None
    denied = AuditEvent.objects.for_object(record).filter(action="child_record_access_denied")
    assert denied.count() == 2


# --- Consent ------------------------------------------------------------------------------------


def test_verbal_consent_with_a_witness(login, peksos_budi, record):
    response = login(peksos_budi).post(url("consent-add", record), ACTIONS["consent-add"])
    assert response.status_code == 302 and response["Location"] == detail(record)
    consent = Consent.objects.get()
    assert consent.purpose == "dukungan" and consent.witness == "Ibu Wati"
    assert consent.is_active and consent.recorded_by == peksos_budi
    assert (
        AuditEvent.objects.for_object(record).filter(action="child_consent_recorded").count() == 1
    )


PDF = b"%PDF-1.4\n% CANARY-FORM-SIGNATURE\n%%EOF\n"


def test_paper_consent_is_stored_encrypted_and_downloaded_as_attachment(
    login, peksos_budi, record, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client = login(peksos_budi)
    data = {**ACTIONS["consent-add"], "method": "formulir", "witness": ""}
    data["form_file"] = SimpleUploadedFile("../../etc/form.pdf", PDF, "application/pdf")
    assert client.post(url("consent-add", record), data).status_code == 302
    consent = Consent.objects.get()
    assert consent.form_file.name.startswith("monitoring/consent/")
    assert "form.pdf" not in consent.form_file.name
    stored = (tmp_path / consent.form_file.name).read_bytes()
    assert b"CANARY-FORM-SIGNATURE" not in stored
    response = client.get(url("consent-file", record, consent.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert (
        AuditEvent.objects.for_object(record).filter(action="child_consent_form_downloaded").count()
        == 1
    )


def test_a_consent_photo_loses_its_location_and_hostile_files_are_refused(
    login, peksos_budi, record, settings, tmp_path
):
    """Issue #21: consent uploads go through peksos.core.uploads like every other upload."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client = login(peksos_budi)
    data = {**ACTIONS["consent-add"], "method": "formulir", "witness": ""}
    hostile = [
        gps_jpeg("form.jpg", appended=b"<script>alert(1)</script>"),
        SimpleUploadedFile(
            "form.pdf", b"%PDF-1.7\n<< /OpenAction << /S /JavaScript /JS (x) >> >>\n%%EOF\n"
        ),
        SimpleUploadedFile("form.pdf", b"%PDF-1.7\ntrailer << /Encrypt 5 0 R >>\n%%EOF\n"),
    ]
    for upload in hostile:
        response = client.post(url("consent-add", record), {**data, "form_file": upload})
        assert (
            response.status_code == 400 and "form_file" in response.context["consent_form"].errors
        )
    assert not Consent.objects.exists()
    original = gps_jpeg("form.jpg")
    assert (
        client.post(url("consent-add", record), {**data, "form_file": original}).status_code == 302
    )
    response = client.get(url("consent-file", record, Consent.objects.get().pk))
    served = b"".join(response.streaming_content)
    assert served != original.file.getvalue()
    assert not Image.open(io.BytesIO(served)).getexif()  # no GPS position left
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "upload",
    [
        None,
        ("form.pdf", b""),
        ("form.pdf", b"<svg onload=alert(1)>"),
        ("form.png", PDF),
        ("form.pdf", b"%PDF-" + b"x" * (5 * 1024 * 1024)),
    ],
)
def test_bad_consent_uploads_are_form_errors(login, peksos_budi, record, upload):
    data = {**ACTIONS["consent-add"], "method": "formulir", "scope": "TYPED-SCOPE"}
    if upload:
        data["form_file"] = SimpleUploadedFile(upload[0], upload[1])
    response = login(peksos_budi).post(url("consent-add", record), data)
    assert response.status_code == 400
    assert "form_file" in response.context["consent_form"].errors
    assert "TYPED-SCOPE" in response.content.decode()
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"witness": ""},
        {"given_on": "2999-01-01"},
        {"given_on": "not a date"},
        {"given_on": "1999-12-31"},
        {"purpose": "semua"},
        {"method": "pengecualian"},
        {"given_by": "\x00"},
    ],
)
def test_bad_consent_input_is_a_form_error(login, peksos_budi, record, bad):
    data = {**ACTIONS["consent-add"], "scope": "TYPED-SCOPE", **bad}
    response = login(peksos_budi).post(url("consent-add", record), data)
    assert response.status_code == 400
    assert response.context["consent_form"].errors
    assert "TYPED-SCOPE" in response.content.decode()
    assert not Consent.objects.exists()


def test_consent_withdrawal(login, peksos_budi, record):
    consent = give_consent(record, peksos_budi, purpose=Consent.Purpose.PHOTOS)
    client = login(peksos_budi)
    assert client.post(url("consent-withdraw", record, consent.pk)).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at and consent.withdrawn_by == peksos_budi
    response = client.post(url("consent-withdraw", record, consent.pk), follow=True)
    assert t("This consent was already withdrawn.") in messages_of(response)


def test_withdrawal_of_another_records_consent_is_404(login, peksos_budi, record, school_a):
    other = open_record(school_a, peksos_budi, name="Lain Anak")
    consent = give_consent(other, peksos_budi)
    assert login(peksos_budi).post(url("consent-withdraw", record, consent.pk)).status_code == 404
    assert Consent.objects.get().is_active


def test_withdrawing_referral_consent_ends_the_referral(
    login, peksos_budi, psikolog_gita, referred
):
    consent = Consent.objects.get(purpose=Consent.Purpose.REFERRAL)
    login(peksos_budi).post(url("consent-withdraw", referred, consent.pk))
    referred.refresh_from_db()
    assert referred.psikolog is None
    assert AuditEvent.objects.for_object(referred).filter(action="child_referral_ended").exists()
    assert login(psikolog_gita).get(detail(referred)).status_code == 404


def test_koordinator_records_an_override_with_reason_and_legal_basis(
    login, koordinator_ani, record
):
    client = login(koordinator_ani)
    response = client.post(url("consent-override", record), ACTIONS["consent-override"])
    assert response.status_code == 302
    override = Consent.objects.get()
    assert override.is_override and override.approved_by == koordinator_ani
    assert override.legal_basis == "UU 35/2014 Pasal 59A"
    assert (
        AuditEvent.objects.for_object(record).filter(action="child_consent_override").count() == 1
    )
    assert record.may_be_referred()


@pytest.mark.parametrize(
    "bad", [{"reason": ""}, {"reason": "short"}, {"legal_basis": ""}, {"purpose": "x"}]
)
def test_an_override_needs_a_reason_and_legal_basis(login, koordinator_ani, record, bad):
    data = {**ACTIONS["consent-override"], **bad}
    response = login(koordinator_ani).post(url("consent-override", record), data)
    assert response.status_code == 400
    assert response.context["override_form"].errors
    assert not Consent.objects.exists()


def test_the_database_refuses_an_override_without_approval(record, peksos_budi):
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(
            record=record,
            purpose="rujukan",
            given_on=TODAY(),
            method=Consent.Method.OVERRIDE,
            override_reason="",
            recorded_by=peksos_budi,
        )


def test_the_service_refuses_an_override_by_a_peksos(record, peksos_budi):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.consent_override(
            record=record, purpose="rujukan", reason="x" * 30, legal_basis="y", by=peksos_budi
        )


def test_only_a_koordinator_lifts_an_override(login, koordinator_ani, peksos_budi, record):
    override = services.consent_override(
        record=record, purpose="rujukan", reason="x" * 30, legal_basis="y", by=koordinator_ani
    )
    assert login(peksos_budi).post(url("consent-withdraw", record, override.pk)).status_code == 403
    assert Consent.objects.get().is_active
    assert login(koordinator_ani).post(
        url("consent-withdraw", record, override.pk)
    ).status_code == (302)
    assert not Consent.objects.get().is_active


# --- Referral -----------------------------------------------------------------------------------


def test_referral_is_blocked_without_consent(login, peksos_budi, psikolog_gita, record):
    client = login(peksos_budi)
    give_consent(record, peksos_budi, purpose=Consent.Purpose.SUPPORT)  # not for referral
    response = client.post(url("record-refer", record), {"psikolog": psikolog_gita.pk}, follow=True)
    assert t(BLOCKED) in messages_of(response)
    record.refresh_from_db()
    assert record.psikolog is None
    data = {**ACTIONS["intervention-add"], "kind": "rujukan"}
    response = client.post(url("intervention-add", record), data, follow=True)
    assert t(BLOCKED) in messages_of(response)
    assert not Intervention.objects.exists()
    assert login(psikolog_gita).get(detail(record)).status_code == 404


def test_referral_with_consent_gives_the_psikolog_the_record(
    login, peksos_budi, psikolog_gita, record
):
    give_consent(record, peksos_budi)
    client = login(peksos_budi)
    assert client.post(url("record-refer", record), {"psikolog": psikolog_gita.pk}).status_code == (
        302
    )
    record.refresh_from_db()
    assert record.psikolog == psikolog_gita and record.referred_at
    assert AuditEvent.objects.for_object(record).filter(action="child_referred").count() == 1
    mail = OutboxMessage.objects.get(kind="peksos.core.tasks.send_email")
    assert record.code in mail.payload["body"] or mail.state == "done"
    assert CANARY not in str(mail.payload)
    assert login(psikolog_gita).get(detail(record)).status_code == 200


def test_referral_with_an_override(login, koordinator_ani, psikolog_gita, record):
    client = login(koordinator_ani)
    client.post(url("consent-override", record), ACTIONS["consent-override"])
    client.post(url("record-refer", record), {"psikolog": psikolog_gita.pk})
    record.refresh_from_db()
    assert record.psikolog == psikolog_gita


def test_referral_to_a_non_psikolog_is_a_form_error(login, peksos_budi, peksos_joko_sdn2, record):
    give_consent(record, peksos_budi)
    client = login(peksos_budi)
    for value in [peksos_joko_sdn2.pk, "abc", ""]:
        response = client.post(url("record-refer", record), {"psikolog": value})
        assert response.status_code == 400
    record.refresh_from_db()
    assert record.psikolog is None


# --- Plan, goals, interventions -----------------------------------------------------------------


def test_plan_is_written_approved_and_reopened_by_a_change(
    login, peksos_budi, koordinator_ani, record
):
    client = login(peksos_budi)
    assert (
        client.post(url("plan-save", record), {"tier": "2", "needs": "Group."}).status_code == 302
    )
    record.refresh_from_db()
    assert record.tier == 2 and SupportPlan.objects.get().needs == "Group."
    login(koordinator_ani).post(url("plan-approve", record))
    plan = SupportPlan.objects.get()
    assert plan.approved_by == koordinator_ani and plan.approved_at
    client = login(peksos_budi)
    client.post(url("plan-save", record), {"tier": "3", "needs": "Individual now."})
    plan.refresh_from_db()
    assert plan.approved_at is None and plan.needs == "Individual now."
    actions = set(AuditEvent.objects.for_object(record).values_list("action", flat=True))
    assert {"child_plan_saved", "child_plan_approved"} <= actions


def test_approving_without_a_plan_is_a_message(login, koordinator_ani, record):
    response = login(koordinator_ani).post(url("plan-approve", record), follow=True)
    assert t("Write the support plan first.") in messages_of(response)


@pytest.mark.parametrize(
    "bad", [{"tier": "1"}, {"tier": "x"}, {"needs": ""}, {"needs": "n" * 4001}]
)
def test_bad_plan_input(login, peksos_budi, record, bad):
    data = {"tier": "3", "needs": "TYPED-NEEDS", **bad}
    response = login(peksos_budi).post(url("plan-save", record), data)
    assert response.status_code == 400 and response.context["plan_form"].errors
    assert not SupportPlan.objects.exists()


def test_goals_and_attainment_scores(login, peksos_budi, record):
    client = login(peksos_budi)
    assert client.post(url("goal-add", record), ACTIONS["goal-add"]).status_code == 302
    goal = Goal.objects.get()
    for score in ("-2", "0", "2"):
        data = {"goal": goal.pk, "score": score, "scored_on": TODAY().isoformat()}
        assert client.post(url("goal-score", record), data).status_code == 302
    assert list(goal.scores.values_list("score", flat=True)) == [-2, 0, 2]
    html = client.get(detail(record)).content.decode()
    assert "Plays with two classmates" in html and "+2" in html


@pytest.mark.parametrize("score", ["3", "-3", "1.5", "abc", "", "99999999999999999999"])
def test_gas_scores_outside_minus_two_to_two_are_refused(login, peksos_budi, record, score):
    goal = services.goal_add(
        record=record, description="Goal", target_date=TODAY() + timedelta(30), by=peksos_budi
    )
    data = {"goal": goal.pk, "score": score, "scored_on": TODAY().isoformat()}
    response = login(peksos_budi).post(url("goal-score", record), data)
    assert response.status_code == 400 and response.context["score_form"].errors
    assert not GoalScore.objects.exists()


def test_gas_range_holds_in_the_service_and_the_database(record, peksos_budi):
    from django.core.exceptions import ValidationError

    goal = services.goal_add(
        record=record, description="Goal", target_date=TODAY() + timedelta(30), by=peksos_budi
    )
    with pytest.raises(ValidationError):
        services.goal_score(goal=goal, score=3, scored_on=TODAY(), by=peksos_budi)
    with pytest.raises(IntegrityError), transaction.atomic():
        GoalScore.objects.create(goal=goal, score=-3, scored_on=TODAY(), scored_by=peksos_budi)


def test_a_goal_of_another_record_cannot_be_scored(login, peksos_budi, record, school_a):
    other = open_record(school_a, peksos_budi, name="Lain Anak")
    goal = services.goal_add(
        record=other, description="Goal", target_date=TODAY() + timedelta(30), by=peksos_budi
    )
    data = {"goal": goal.pk, "score": "1", "scored_on": TODAY().isoformat()}
    assert login(peksos_budi).post(url("goal-score", record), data).status_code == 400
    assert not GoalScore.objects.exists()


@pytest.mark.parametrize(
    "bad", [{"target_date": "2000-01-01"}, {"target_date": "9999-12-31"}, {"description": ""}]
)
def test_bad_goal_input(login, peksos_budi, record, bad):
    response = login(peksos_budi).post(url("goal-add", record), {**ACTIONS["goal-add"], **bad})
    assert response.status_code == 400 and response.context["goal_form"].errors


def test_interventions(login, peksos_budi, record):
    client = login(peksos_budi)
    assert client.post(
        url("intervention-add", record), ACTIONS["intervention-add"]
    ).status_code == (302)
    item = Intervention.objects.get()
    assert item.kind == "konseling" and item.frequency == "mingguan"
    bad = {**ACTIONS["intervention-add"], "frequency": "hourly", "provider": "TYPED-PROVIDER"}
    response = client.post(url("intervention-add", record), bad)
    assert response.status_code == 400 and "TYPED-PROVIDER" in response.content.decode()


# --- Progress notes and measures ----------------------------------------------------------------


def test_progress_note(login, peksos_budi, record):
    client = login(peksos_budi)
    data = {**ACTIONS["note-add"], "noted_on": TODAY().isoformat()}
    assert client.post(url("note-add", record), data).status_code == 302
    note = ProgressNote.objects.get()
    assert note.author == peksos_budi and note.source == "guru"
    assert AuditEvent.objects.for_object(record).filter(action="child_note_added").count() == 1
    assert "Quieter this week." in client.get(detail(record)).content.decode()


@pytest.mark.parametrize(
    "bad", [{"noted_on": "2999-01-01"}, {"noted_on": ""}, {"text": ""}, {"source": "tv"}]
)
def test_bad_note_input(login, peksos_budi, record, bad):
    data = {**ACTIONS["note-add"], "text": "TYPED-NOTE", **bad}
    response = login(peksos_budi).post(url("note-add", record), data)
    assert response.status_code == 400 and response.context["note_form"].errors
    if bad.get("text") != "":
        assert "TYPED-NOTE" in response.content.decode()
    assert not ProgressNote.objects.exists()


def test_sdq_total_is_computed_from_the_four_difficulty_scales(login, peksos_budi, record):
    assert login(peksos_budi).post(url("sdq-add", record), ACTIONS["sdq-add"]).status_code == 302
    score = SdqScore.objects.get()
    assert score.total == 6 + 3 + 5 + 4
    assert not score.peer_scale_is_weak


@pytest.mark.parametrize(
    "field,value",
    [
        ("emotional", "11"),
        ("conduct", "-1"),
        ("peer", "abc"),
        ("prosocial", "10.5"),
        ("hyperactivity", ""),
        ("taken_on", "2999-01-01"),
        ("informant", "kakak"),
    ],
)
def test_sdq_ranges_are_checked(login, peksos_budi, record, field, value):
    data = {**ACTIONS["sdq-add"], field: value}
    response = login(peksos_budi).post(url("sdq-add", record), data)
    assert response.status_code == 400 and field in response.context["sdq_form"].errors
    assert not SdqScore.objects.exists()


def test_sdq_ranges_hold_in_the_database(record, peksos_budi):
    with pytest.raises(IntegrityError), transaction.atomic():
        SdqScore.objects.create(
            record=record,
            taken_on=TODAY(),
            informant="guru",
            emotional=11,
            conduct=0,
            hyperactivity=0,
            peer=0,
            prosocial=0,
            entered_by=peksos_budi,
        )


def test_parent_peer_scale_is_flagged(login, peksos_budi, record):
    data = {**ACTIONS["sdq-add"], "informant": "orang_tua"}
    client = login(peksos_budi)
    client.post(url("sdq-add", record), data)
    assert SdqScore.objects.get().peer_scale_is_weak
    assert t("weak scale") in client.get(detail(record)).content.decode()


@pytest.mark.parametrize("score", ["11", "-1", "x", ""])
def test_wellbeing_range_is_checked(login, peksos_budi, record, score):
    data = {**ACTIONS["wellbeing-add"], "score": score}
    response = login(peksos_budi).post(url("wellbeing-add", record), data)
    assert response.status_code == 400 and response.context["wellbeing_form"].errors
    assert not WellbeingRating.objects.exists()


def rating(rater: str, day: int, score: int) -> WellbeingRating:
    return WellbeingRating(
        rater=rater, rated_on=date(2025, 1, day), score=score, created_at=timezone.now()
    )


@pytest.mark.parametrize(
    "ratings,improved",
    [
        ([], None),
        ([rating("guru", 1, 3)], None),
        ([rating("guru", 1, 3), rating("guru", 20, 6)], True),
        ([rating("guru", 1, 3), rating("guru", 20, 5)], False),
        # First and latest by date, whatever the order of entry.
        ([rating("guru", 20, 6), rating("guru", 1, 3)], True),
        # A rise in between does not count: latest against first.
        ([rating("guru", 1, 3), rating("guru", 10, 9), rating("guru", 20, 4)], False),
        # Never a teacher's first against a parent's latest.
        ([rating("guru", 1, 2), rating("orang_tua", 20, 8)], None),
        ([rating("guru", 1, 5), rating("guru", 9, 5), rating("orang_tua", 1, 2)], False),
        (
            [
                rating("guru", 1, 5),
                rating("guru", 9, 4),
                rating("orang_tua", 1, 2),
                rating("orang_tua", 9, 5),
            ],
            True,
        ),
        ([rating("guru", 1, 8), rating("guru", 20, 4)], False),
    ],
)
def test_wellbeing_improvement_indicator(ratings, improved):
    assert wellbeing_improved(ratings) is improved


def test_wellbeing_changes_per_rater():
    changes = wellbeing_changes([rating("guru", 1, 3), rating("guru", 5, 7)])
    assert [(c.rater, c.first, c.latest, c.delta, c.improved) for c in changes] == [
        ("guru", 3, 7, 4, True)
    ]


def test_charts_show_the_trend(login, peksos_budi, record):
    client = login(peksos_budi)
    for day, total_part, wellbeing in [("2025-01-06", "6", "3"), ("2025-02-03", "2", "7")]:
        client.post(
            url("sdq-add", record), {**ACTIONS["sdq-add"], "taken_on": day, "emotional": total_part}
        )
        client.post(
            url("wellbeing-add", record),
            {**ACTIONS["wellbeing-add"], "rated_on": day, "score": wellbeing},
        )
    response = client.get(detail(record))
    html = response.content.decode()
    assert html.count("<svg") >= 2 and html.count("<polyline") == 2
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert " style=" not in html
    assert response.context["wellbeing_improved"] is True
    assert t("improved by 3 points or more") in html


# --- Closure ------------------------------------------------------------------------------------


def test_close_and_then_nothing_changes_but_consent_can_be_withdrawn(
    login, peksos_budi, koordinator_ani, record
):
    consent = give_consent(record, peksos_budi, purpose=Consent.Purpose.AGGREGATE)
    client = login(peksos_budi)
    assert client.post(url("record-close", record), ACTIONS["record-close"]).status_code == 302
    record.refresh_from_db()
    assert record.is_open and record.closure_requested
    assert record.outcome == "tujuan_tercapai" and record.closure_requested_by == peksos_budi
    assert login(koordinator_ani).post(url("record-close-approve", record)).status_code == 302
    record.refresh_from_db()
    assert record.status == ChildRecord.Status.CLOSED and record.closed_by == koordinator_ani
    client = login(peksos_budi)
    response = client.post(url("note-add", record), ACTIONS["note-add"], follow=True)
    assert t("This record is closed: it can no longer be changed.") in messages_of(response)
    assert not ProgressNote.objects.exists()
    html = client.get(detail(record)).content.decode()
    assert url("note-add", record) not in html
    assert client.post(url("consent-withdraw", record, consent.pk)).status_code == 302
    assert not Consent.objects.get().is_active


@pytest.mark.parametrize(
    "bad",
    [{"outcome": ""}, {"outcome": "hilang"}, {"note": "n" * 2001}, {"note": "   "}, {"note": ""}],
)
def test_close_needs_an_outcome_and_a_reason(login, peksos_budi, record, bad):
    data = {**ACTIONS["record-close"], **bad}
    response = login(peksos_budi).post(url("record-close", record), data)
    assert response.status_code == 400 and response.context["close_form"].errors
    record.refresh_from_db()
    assert record.is_open and not record.closure_requested


def test_every_change_is_one_audit_row_without_the_name(login, koordinator_ani, record, school_a):
    client = login(koordinator_ani)
    for name in ["consent-add", "plan-save", "goal-add", "note-add", "sdq-add", "wellbeing-add"]:
        before = AuditEvent.objects.for_object(record).count()
        client.post(url(name, record), ACTIONS[name])
        assert AuditEvent.objects.for_object(record).count() == before + 1, name
    for row in AuditEvent.objects.values_list():
        assert CANARY not in repr(row)
