"""The project-wide crawl behind the access matrix, the canaries, CSRF, "GET changes nothing" and
the security-header checks (docs/quality.md S1, S2, S4, S5, S11; issue #10).

`build_world()` makes one set of objects that all belong to school B (SD Negeri 2 Metro Pusat)
and to peksos_joko's caseload, with a canary string in every sensitive field. `crawl()` then
requests every URL pattern as every persona (and anonymous), GET and POST, each request inside
a savepoint that is rolled back, so that one request never changes what the next one sees.
The result is plain data (statuses, bodies, headers, row-count changes, e-mails, log lines),
computed once per test session and shared by tests/core/test_access_matrix.py and
tests/core/test_canaries.py.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from unittest import mock
from uuid import uuid4

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.access_matrix import PERSONAS

SCHOOL_A_NPSN = "10807637"
SCHOOL_B_NPSN = "10807680"
PASSWORD = "kata-sandi-uji-123"

# --- Canaries: one per sensitive field of the fixtures ------------------------------------------
# Each canary names who may ever read it (privacy first, docs/design.md §4). Anyone else finding it
# in a page, an export, a PDF, an e-mail or a log line is a leak.
CASE_READERS = {"koordinator", "peksos_b", "sosdesk_b"}
CHILD_READERS = {"koordinator", "peksos_b"}
FORUM_STAFF = {"koordinator", "peksos_a", "peksos_b", "psikolog"}
CANARIES: dict[str, set[str]] = {
    "CANARY-case-narrative-7f3a": CASE_READERS,
    "CANARY-case-when-7f3a": CASE_READERS,
    "CANARY-case-note-7f3a": CASE_READERS,
    "CANARY-case-message-7f3a": CASE_READERS,
    "CANARY-case-referral-7f3a": CASE_READERS,
    "CANARY-case-exemption-7f3a": CASE_READERS,
    # A report sent to the Dinas Sosial only: Koordinators (and the handlers they name) only.
    "CANARY-dinas-only-narrative-7f3a": {"koordinator"},
    "CANARY-dinas-only-message-7f3a": {"koordinator"},
    "CANARY-case-attachment-7f3a": CASE_READERS,
    "CANARY-reporter-name-7f3a": {"koordinator", "sosdesk_b"},
    "CANARY-reporter-contact-7f3a": {"koordinator", "sosdesk_b"},
    # The PPKSP procedure (issue 19): a party's name only through the audited reveal (with a
    # reason, never in a crawl), an interview's summary only in the examination report.
    "CANARY-party-name-7f3a": CASE_READERS,
    "CANARY-interview-summary-7f3a": CASE_READERS,
    # The child's name and the guardian's contact: only through the audited reveal.
    "CANARY-child-name-7f3a": CHILD_READERS,
    "CANARY-guardian-contact-7f3a": CHILD_READERS,
    "CANARY-child-note-7f3a": CHILD_READERS,
    "CANARY-child-needs-7f3a": CHILD_READERS,
    "CANARY-child-goal-7f3a": CHILD_READERS,
    "CANARY-child-provider-7f3a": CHILD_READERS,
    "CANARY-consent-witness-7f3a": CHILD_READERS,
    "CANARY-consent-file-7f3a": CHILD_READERS,
    # What the teacher or parent asked for an observation sees (ortu_rina of school B).
    "CANARY-observation-label-7f3a": CHILD_READERS | {"ortu_rina"},
    # Why ortu_rina is linked to the child's record as a guardian: the record's managers.
    "CANARY-guardian-reason-7f3a": CHILD_READERS,
    # A private forum question of a school-B parent: the asker and programme staff.
    "CANARY-private-title-7f3a": FORUM_STAFF | {"ortu_rina"},
    "CANARY-private-body-7f3a": FORUM_STAFF | {"ortu_rina"},
    # The real name of a parent asking under a pseudonym (ortu_sari of school B).
    # Moderators see who asked; peksos_b also sees her as a parent of his school (the record's
    # "link a parent" form offers the school's parent accounts).
    "CANARY-pseudonym-owner-7f3a": {"koordinator", "peksos_a", "peksos_b"},
    # A PEKSOS's reason for leave: the Koordinator and the PEKSOS himself.
    "CANARY-leave-reason-7f3a": {"koordinator", "peksos_b"},
    # Activities of school B facilitated by joko: the adults' names on the attendance list
    # (and so in the draw), a photo of children without the parents' consent, a participant's
    # comment. Programme staff who see the activity only: never the school's SOS Desk officer
    # (counts only), never teachers or parents; psikolog/pendamping are not its facilitators.
    "CANARY-attendee-name-7f3a": {"koordinator", "peksos_b"},
    "CANARY-photo-caption-7f3a": {"koordinator", "peksos_b"},
    "CANARY-feedback-comment-7f3a": {"koordinator", "peksos_b"},
}

# Pages whose whole job is to show one canary to its readers: the test checks they do, so that
# the canary search cannot pass by finding nothing anywhere.
MUST_SHOW = [
    ("koordinator", "sosdesk:case-detail", "CANARY-case-narrative-7f3a"),
    ("sosdesk_b", "sosdesk:case-detail", "CANARY-reporter-contact-7f3a"),
    ("peksos_b", "monitoring:record-detail", "CANARY-child-note-7f3a"),
    ("koordinator", "monitoring:record-detail", "CANARY-guardian-reason-7f3a"),
    ("koordinator", "forum:question-detail", "CANARY-private-title-7f3a"),
    ("peksos_b", "activities:activity-detail", "CANARY-attendee-name-7f3a"),
    ("peksos_b", "activities:draw-detail", "CANARY-attendee-name-7f3a"),
    ("koordinator", "activities:feedback", "CANARY-feedback-comment-7f3a"),
]


@dataclass
class Result:
    pattern: str
    persona: str
    method: str
    url: str
    status: int
    outcome: str
    location: str = ""
    content_type: str = ""
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    changed: dict = field(default_factory=dict)  # model label -> row-count change
    csrf_status: int | None = None  # POST without a token, CSRF enforced
    canaries: list[str] = field(default_factory=list)  # found in the body (any status)


# --- URL patterns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or "<route>" for an unnamed pattern
    route: str
    kwargs: tuple[str, ...]


def all_patterns() -> list[Pattern]:
    """Every pattern of the root URLconf, walking includes recursively."""
    found: list[Pattern] = []

    def walk(patterns, namespace: str, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p.url_patterns, ns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                kwargs = tuple(sorted(p.pattern.regex.groupindex))
                full = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
                found.append(Pattern(full, route, kwargs))

    walk(get_resolver().url_patterns, "", "")
    return found


# --- The objects of school B -------------------------------------------------------------------


def make_user(username: str, role: str, *schools, first_name: str = ""):
    from peksos.accounts.models import User
    from schools.models import SchoolMembership

    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        first_name=first_name or username.split("_")[1].title(),
        role=role,
    )
    for school in schools:
        SchoolMembership.objects.create(user=user, school=school)
    return user


def make_personas() -> dict:
    from peksos.accounts.models import Role
    from schools.models import School

    a = School.objects.get(npsn=SCHOOL_A_NPSN)
    b = School.objects.get(npsn=SCHOOL_B_NPSN)
    return {
        "koordinator": make_user("koordinator_ani", Role.KOORDINATOR),
        "peksos_a": make_user("peksos_budi", Role.PEKSOS, a),
        "peksos_b": make_user("peksos_joko", Role.PEKSOS, b),
        "psikolog": make_user("psikolog_gita", Role.PSIKOLOG),
        "pendamping": make_user("pendamping_hadi", Role.PENDAMPING),
        "sosdesk_a": make_user("sosdesk_citra", Role.SOSDESK, a),
        "sosdesk_b": make_user("sosdesk_dedi", Role.SOSDESK, b),
        "kepsek_a": make_user("kepsek_indah", Role.KEPALA_SEKOLAH, a),
        "guru_a": make_user("guru_eka", Role.GURU, a),
        "ortu_a": make_user("ortu_fajar", Role.ORANG_TUA, a),
    }


def build_world(users: dict) -> dict:
    """Objects of school B / peksos_joko's caseload, canaries in every sensitive field.
    Returns the values the kwarg fillers use."""
    from forum import faq as forum_faq
    from forum import registration as forum_registration
    from forum import services as forum
    from forum.models import Category
    from monitoring import observations
    from monitoring import services as mon
    from monitoring.models import Consent, ProgressNote
    from peksos.accounts.models import Role
    from people.models import UserImport
    from reports import builder
    from reports.models import Report
    from schools.models import BlockedPeriod, ImportBatch, Kelurahan, RegionImport, School
    from sosdesk import services as desk
    from sosdesk.models import Case
    from visits.models import CalendarFeedToken, PlanRun, StaffLeave, Visit, VisitMember

    b = School.objects.get(npsn=SCHOOL_B_NPSN)
    koor, joko, dedi = users["koordinator"], users["peksos_b"], users["sosdesk_b"]
    today = timezone.localdate()

    # SOS Desk: a named report with a note, a message, a referral and a police exemption.
    the_desk = desk.desk_ensure(b, by=koor)
    member = desk.desk_member_add(desk=the_desk, name="Ibu Wati", position="guru", by=koor)
    case = desk.case_file(
        school=b,
        channel=Case.Channel.IN_PERSON,
        narrative="CANARY-case-narrative-7f3a",
        forms=["seksual"],
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
        occurred_text="CANARY-case-when-7f3a",
        anonymous=False,
        reporter_name="CANARY-reporter-name-7f3a",
        reporter_contact="CANARY-reporter-contact-7f3a",
        reporter_relation="murid",
        contact_allowed=True,
    ).case
    note = desk.case_note(case=case, body="CANARY-case-note-7f3a", by=dedi)
    attachment = _attach(case, note, dedi)
    desk.case_message_from_desk(case=case, body="CANARY-case-message-7f3a", by=dedi)
    referral = desk.case_refer(
        case=case,
        partner="puskesmas",
        reason="CANARY-case-referral-7f3a",
        psikolog=None,
        by=dedi,
    )
    desk.case_police_exemption(case=case, reason="CANARY-case-exemption-7f3a", by=dedi)
    # A second report, sent by its reporter to the Dinas Sosial only (issue 19): the school's
    # own people (dedi, joko) never read anything of it, anywhere; the Koordinator handles it.
    hidden = desk.case_file(
        school=b,
        channel=Case.Channel.PUBLIC_FORM,
        narrative="CANARY-dinas-only-narrative-7f3a",
        forms=["seksual"],
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
        dinas_only=True,
    ).case
    desk.case_message_from_reporter(case=hidden, body="CANARY-dinas-only-message-7f3a")

    # Monitoring: a child of joko's caseload, with consent (and its scanned form), a plan, a
    # goal, an intervention and a note.
    record = mon.record_open(
        school=b,
        class_level="4",
        sex="P",
        birth_year=today.year - 10,
        name="CANARY-child-name-7f3a",
        guardian_contact="CANARY-guardian-contact-7f3a",
        peksos=joko,
        by=joko,
    )
    consent = mon.consent_record(
        record=record,
        purpose=Consent.Purpose.SUPPORT,
        given_by=Consent.Relation.MOTHER,
        given_on=today,
        method=Consent.Method.PAPER,
        witness="CANARY-consent-witness-7f3a",
        form_bytes=b"%PDF-1.4\n% CANARY-consent-file-7f3a\n%%EOF\n",
        form_content_type="application/pdf",
        by=joko,
    )
    mon.plan_save(record=record, tier=3, needs="CANARY-child-needs-7f3a", by=joko)
    mon.goal_add(
        record=record,
        description="CANARY-child-goal-7f3a",
        target_date=today + timedelta(days=60),
        by=joko,
    )
    mon.intervention_add(
        record=record,
        kind="konseling",
        provider="CANARY-child-provider-7f3a",
        frequency="mingguan",
        starts_on=today,
        by=joko,
    )
    mon.note_add(
        record=record,
        noted_on=today,
        source=ProgressNote.Source.OBSERVATION,
        text="CANARY-child-note-7f3a",
        by=joko,
    )

    # Forum and observations need school-B parents.
    rina = make_user("ortu_rina", Role.ORANG_TUA, b)
    sari = make_user("ortu_sari", Role.ORANG_TUA, b, first_name="CANARY-pseudonym-owner-7f3a")
    guardian_link = observations.guardian_link(
        record=record, guardian=rina, reason="CANARY-guardian-reason-7f3a", by=joko
    )
    observation = observations.observation_request(
        record=record, addressee=rina, child_label="CANARY-observation-label-7f3a", by=joko
    )

    # Visits and staff: a visit of school B with joko, a plan run, joko's leave, a feed token.
    visit = Visit(school=b, state=Visit.State.PROPOSED, kind=Visit.Kind.CAMPAIGN)
    visit.set_date(today + timedelta(days=30))
    visit.save()
    VisitMember.objects.create(visit=visit, user=joko, role=Role.PEKSOS)
    agreed_visit = _agreed_by_letter(b, joko, today + timedelta(days=90))
    run = PlanRun.objects.create(school_year=visit.school_year, created_by=koor)
    leave = StaffLeave.objects.create(
        user=joko,
        starts_on=today + timedelta(days=90),
        ends_on=today + timedelta(days=91),
        reason="CANARY-leave-reason-7f3a",
        created_by=koor,
    )
    _feed, feed_token = CalendarFeedToken.issue(joko)
    held = _activities(visit, joko)

    # Schools: school B's exam week, an import batch.
    blocked = BlockedPeriod.objects.create(
        school=b,
        starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=12),
        title="Ujian",
        created_by=koor,
    )
    batch = ImportBatch.objects.create(
        filename="sekolah.csv", uploaded_by=koor, state=ImportBatch.State.VALID
    )

    # Forum: a private question of a school-B parent answered by joko; a pseudonymous question.
    topic = Category.objects.filter(is_active=True).order_by("position").first()
    with (
        mock.patch.object(forum, "POSTS_PER_WINDOW", 1000),
        mock.patch.object(forum, "POSTS_PER_DAY", 1000),
        mock.patch("forum.permissions.REVIEWED_FIRST_POSTS", 0),
    ):
        question = forum.question_ask(
            author=rina,
            category=topic,
            title="CANARY-private-title-7f3a",
            body="CANARY-private-body-7f3a apa yang harus saya lakukan?",
            private=True,
        )
        answer = forum.answer_post(
            question=question, author=joko, body="Silakan datang ke sekolah bersama anak."
        )
        forum.question_ask(
            author=sari,
            category=topic,
            title="Anak saya takut ke sekolah, bagaimana?",
            body="Sudah seminggu ia menangis setiap pagi.",
            pseudonymous=True,
        )
    faq = forum_faq.faq_create(  # a draft FAQ entry (drafts: staff only)
        source=None,
        category=topic,
        title="Apa yang dilakukan jika anak diejek?",
        question_text="Seorang anak diejek teman sekelasnya.",
        answer_text="Dengarkan anak, lalu bicarakan dengan wali kelas.",
        by=koor,
    )
    invite = forum_registration.invite_code_create(school=b, label="Rapat wali murid", by=koor)
    registration = forum_registration.registration_create(
        invite_code=invite,
        username="ortu_baru",
        email="ortu_baru@example.org",
        display_name="Ortu Baru",
        password="kata-sandi-baru-12345",
        role=Role.ORANG_TUA,
    )

    procedure = _procedure(case, koor, dedi)

    # Reports: school B's report, built (with the PDF renderer's input kept for the canaries).
    report = Report.objects.create(
        kind=Report.Kind.SCHOOL,
        period_start=date(today.year - 1, 7, 1),
        period_end=today,
        school=b,
        requested_by=joko,
    )
    pdf_html: list[str] = []

    def fake_pdf(html, **kw):
        pdf_html.append(html)
        return b"%PDF-1.7\n% fake\n%%EOF\n"

    with mock.patch("reports.pdf.render_pdf", fake_pdf):
        builder.run(report.pk)

    return {
        "npsn": b.npsn,
        "case": case.code,
        "referral": referral.pk,
        "attachment": attachment.pk if attachment else None,
        **procedure,
        "member": member.pk,
        "public_code": the_desk.public_code,
        "record": record.code,
        "consent": consent.pk,
        "observation": observation.pk,
        "guardian_link": guardian_link.pk,
        "visit": visit.pk,
        "agreed_visit": agreed_visit.pk,
        "run": run.pk,
        "leave": leave.pk,
        "staff": joko.pk,
        "membership": joko.school_memberships.get(school=b).pk,
        "people_import": UserImport.objects.create(filename="orang.csv", state="invalid").pk,
        "region_import": RegionImport.objects.create(filename="wilayah.csv", state="invalid").pk,
        "kecamatan": b.kecamatan.code,
        "kelurahan": Kelurahan.objects.filter(kecamatan=b.kecamatan).first().code,
        "feed_token": feed_token,
        "blocked": blocked.pk,
        "batch": batch.pk,
        "question": question.uid,
        "answer": answer.uid,
        "faq": faq.uid,
        "invite": invite.pk,
        "registration_token": forum_registration.confirmation_token(registration)
        if registration
        else "x",
        "reset_uid": urlsafe_base64_encode(force_bytes(rina.pk)),
        "reset_token": "set-password",
        "report": report.pk,
        "pdf_html": pdf_html,
        **held,
        "emails": {u.email: key for key, u in users.items()} | {rina.email: "ortu_rina"},
        # Notifications: one of joko's (the new case at his school told him).
        "notification": joko.notifications.order_by("created_at", "id").first().uid,
    }


def _procedure(case, koor, dedi) -> dict:
    """The PPKSP procedure of school B's case: a party, a held interview, evidence, an approved
    conclusion, a decision, a recovery task and a document not rendered yet (issue 19)."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile

    from peksos.core.uploads import validate_document
    from sosdesk.procedure import conclusion, examination, followup, parties, recovery
    from sosdesk.procedure.models import CaseDocument

    party = parties.party_add(
        case=case, role="korban", category="peserta_didik", name="CANARY-party-name-7f3a", by=dedi
    )
    held = timezone.now() - timedelta(hours=1)
    interview = examination.interview_plan(
        case=case, party=party, planned_at=held, interviewers="Tim", by=dedi
    )
    examination.interview_record(
        interview=interview, held_at=held, summary="CANARY-interview-summary-7f3a", by=dedi
    )
    pdf = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    evidence = examination.evidence_add(
        case=case,
        description="Tangkapan layar",
        received_from="",
        received_on=timezone.localdate(),
        upload=validate_document(pdf, prefix="sosdesk"),
        by=dedi,
    )
    conclusion.conclusion_save(
        case=case,
        finding="terbukti",
        sanction_level="ringan",
        sanction="",
        victim_recovery="Konseling",
        continued_schooling="Tetap bersekolah",
        reasoning="Saksi",
        by=dedi,
    )
    conclusion.conclusion_approve(case=case, by=koor)
    decision = followup.decision_record(
        case=case,
        authority="kepala_sekolah",
        decided_by_name="Kepala sekolah",
        decision="Teguran",
        decided_on=timezone.localdate(),
        by=dedi,
    )
    task = recovery.task_add(
        case=case,
        kind="konseling",
        description="",
        owner="Guru BK",
        due_on=timezone.localdate(),
        by=dedi,
    )
    document = CaseDocument.objects.create(case=case, kind="lhp", requested_by=dedi)
    return {
        "party": party.pk,
        "interview": interview.pk,
        "evidence": evidence.pk,
        "decision": decision.pk,
        "task": task.pk,
        "document": document.pk,
    }


def _attach(case, note, by):
    """A PDF attached to the case's internal note (None while the model does not exist)."""
    try:
        from sosdesk.models import CaseAttachment
    except ImportError:
        return None
    from django.core.files.base import ContentFile

    from peksos.core.uploads import private_storage

    data = b"%PDF-1.4\n% CANARY-case-attachment-7f3a\n%%EOF\n"
    name = private_storage().save(f"sosdesk/{uuid4().hex}.pdf", ContentFile(data))
    return CaseAttachment.objects.create(
        case=case,
        note=note,
        file=name,
        display_name="bukti.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )


def _agreed_by_letter(school, joko, day):
    """A visit of school B whose agreement joko recorded, with a scanned letter."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from peksos.core.uploads import validate_document
    from visits import services as visit_services
    from visits.models import Visit, VisitAgreement, VisitMember

    visit = Visit(school=school, state=Visit.State.PROPOSED, kind=Visit.Kind.TRAINING)
    visit.set_date(day)
    visit.save()
    VisitMember.objects.create(visit=visit, user=joko, role=joko.role)
    letter = validate_document(SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n"))
    visit_services.visit_agreement_record(
        visit=visit,
        contact_name="Ibu Kepala SD 2",
        contact_position="Kepala Sekolah",
        channel=VisitAgreement.Channel.LETTER,
        agreed_on=timezone.localdate(),
        letter=letter,
        by=joko,
    )
    return visit


def _activities(visit, joko) -> dict:
    """Two activities of the school-B visit, facilitated by joko, participant forms open:
    a One Day for Children (named attendee, counts, a photo of children without consent,
    a prize and a recorded draw) and a campaign (a question set chosen as its knowledge test,
    a phone attempt, a feedback answer with a comment)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from activities.models import Activity, KnowledgeAttempt, ParticipantGroup, Sex
    from activities.services import draw as draw_services
    from activities.services import feedback as feedback_services
    from activities.services import knowledge
    from activities.services import sessions as acts
    from peksos.core.uploads import validate_image

    today = timezone.localdate()

    def plan(kind):
        activity, _created = acts.activity_create(
            visit=visit,
            kind=kind,
            sub_activities=[],
            audiences=[ParticipantGroup.PARENTS],
            facilitators=[joko],
            date=today,
            by=joko,
        )
        return acts.set_participant_forms(activity=activity, open_=True, by=joko)

    day = plan(Activity.Kind.ONE_DAY)
    acts.activity_record(
        activity=day,
        state=Activity.State.HELD,
        counts={(ParticipantGroup.PUPILS_SD, Sex.FEMALE): 12},
        by=joko,
    )
    attendee = acts.attendee_add(
        activity=day, name="CANARY-attendee-name-7f3a", group=ParticipantGroup.PARENTS, by=joko
    )
    png = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(png, format="PNG")
    photo = acts.photo_add(
        activity=day,
        upload=validate_image(SimpleUploadedFile("foto.png", png.getvalue())),
        caption="CANARY-photo-caption-7f3a",
        shows_children=True,
        consent_recorded=False,
        by=joko,
    )
    prize = day.prizes.create(name="Tas sekolah", quantity=2)
    # No tickets: the one adult on the list wins, so the draw's record names them.
    draw = draw_services.run_draw(day, tickets=0, by=joko)

    campaign = plan(Activity.Kind.CAMPAIGN)
    qset = knowledge.save_question_set(
        title="Mengenali kekerasan",
        description="",
        questions=[
            knowledge.QuestionData(
                text="Apakah membentak anak termasuk kekerasan psikis?",
                choices=["Ya", "Tidak"],
                correct=0,
            )
        ],
        by=joko,
    )
    knowledge.choose_set(campaign, qset, by=joko)
    knowledge.submit_phone_attempt(
        campaign,
        phase=KnowledgeAttempt.Phase.PRE,
        group=ParticipantGroup.PARENTS,
        answers=[0],
        device=knowledge.device_hash(campaign, "perangkat-uji"),
    )
    feedback_services.submit_feedback(
        campaign,
        device=knowledge.device_hash(campaign, "perangkat-uji"),
        satisfaction=5,
        usefulness=4,
        clarity=4,
        comment="CANARY-feedback-comment-7f3a",
        group=ParticipantGroup.PARENTS,
    )
    return {
        "activity_day": day.pk,
        "activity_campaign": campaign.pk,
        "activity_code": campaign.public_code,
        "attendee": attendee.pk,
        "photo": photo.pk,
        "prize": prize.pk,
        "draw": draw.pk,
        "qset": qset.pk,
    }


# --- Kwarg fillers -----------------------------------------------------------------------------
# (namespace, kwarg) -> key of build_world()'s result; a pattern whose kwarg has no filler here
# or in FILL_PATTERN fails the matrix test.
FILL_KWARG = {
    ("schools", "npsn"): "npsn",
    ("sosdesk", "npsn"): "npsn",
    ("forum", "npsn"): "npsn",
    ("sosdesk", "code"): "case",
    ("monitoring", "code"): "record",
    ("monitoring", "pk"): "consent",
    ("reports", "pk"): "report",
    ("lapor", "public_code"): "public_code",
    ("accounts", "uidb64"): "reset_uid",
    ("accounts", "token"): "reset_token",
    ("visits", "pk"): "visit",
    ("forum", "uid"): "question",
    # The One Day for Children (draws, named list, photos); the campaign has the tests.
    ("people", "user_id"): "staff",
    ("activities", "pk"): "activity_day",
    ("activities", "visit_pk"): "visit",
    ("activities", "attendee_pk"): "attendee",
    ("activities", "photo_pk"): "photo",
    ("activities", "prize_pk"): "prize",
    ("activities", "draw_pk"): "draw",
    ("participant", "code"): "activity_code",
    ("notifications", "uid"): "notification",
}
FILL_PATTERN = {
    "schools:school-export": {"fmt": "=csv"},
    "schools:blockedperiod-delete": {"pk": "blocked"},
    "schools:import-detail": {"pk": "batch"},
    "schools:import-apply": {"pk": "batch"},
    "schools:import-progress": {"pk": "batch"},
    "visits:plan-detail": {"pk": "run"},
    "visits:capacity-edit": {"user_id": "staff"},
    "people:person-export": {"fmt": "=csv"},
    "people:import-detail": {"pk": "people_import"},
    "people:import-apply": {"pk": "people_import"},
    "people:membership-end": {"user_id": "staff", "pk": "membership"},
    "regions:kecamatan-edit": {"code": "kecamatan"},
    "regions:kelurahan-edit": {"code": "kelurahan"},
    "regions:import-detail": {"pk": "region_import"},
    "regions:import-apply": {"pk": "region_import"},
    "invitation-accept": {"token": "=x"},
    "visits:leave-create": {"user_id": "staff"},
    "visits:leave-delete": {"pk": "leave"},
    "visits:feed-ics": {"token": "feed_token"},
    "visits:agreement-letter": {"pk": "agreed_visit"},
    "sosdesk:referral-respond": {"pk": "referral"},
    "sosdesk:case-attachment": {"code": "case", "pk": "attachment"},
    "sosdesk:member-delete": {"npsn": "npsn", "pk": "member"},
    "sosdesk:party-reveal": {"code": "case", "pk": "party"},
    "sosdesk:interview-held": {"code": "case", "pk": "interview"},
    "sosdesk:evidence-file": {"code": "case", "pk": "evidence"},
    "sosdesk:decision-executed": {"code": "case", "pk": "decision"},
    "sosdesk:task-done": {"code": "case", "pk": "task"},
    "sosdesk:document-download": {"code": "case", "pk": "document"},
    "forum:invitecode-deactivate": {"pk": "invite"},
    "forum:registration-confirm": {"token": "registration_token"},
    "forum:answer-accept": {"uid": "answer"},
    "forum:answer-helpful": {"uid": "answer"},
    "forum:answer-approve": {"uid": "answer"},
    "forum:answer-reject": {"uid": "answer"},
    "forum:answer-hide": {"uid": "answer"},
    "forum:answer-flag": {"uid": "answer"},
    "forum:answer-flags-resolve": {"uid": "answer"},
    "monitoring:observation-cancel": {"pk": "observation"},
    "monitoring:observation-fill": {"pk": "observation"},
    "monitoring:guardian-end": {"pk": "guardian_link"},
    "forum:faq-detail": {"uid": "faq"},
    "forum:faq-edit": {"uid": "faq"},
    "forum:faq-publish": {"uid": "faq"},
    "forum:faq-withdraw": {"uid": "faq"},
    "activities:question-set": {"pk": "qset"},
    "activities:question-set-edit": {"pk": "qset"},
    "activities:participant-tools": {"pk": "activity_campaign"},
    "activities:participant-qr": {"pk": "activity_campaign", "form": "=tes-awal"},
    "activities:test": {"pk": "activity_campaign"},
    "activities:test-choose": {"pk": "activity_campaign"},
    "activities:test-paper": {"pk": "activity_campaign"},
    "activities:feedback": {"pk": "activity_campaign"},
}
# Django's admin is a group rule (tests/access_matrix.py GROUP_RULES): every admin pattern must
# exist in the enumeration, and these representative pages are requested as every persona.
ADMIN_SAMPLES = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:accounts_user_changelist",
    "admin:accounts_user_change",
    "admin:sosdesk_desk_changelist",
}
# Extra GETs beyond one per pattern: the other export formats.
EXTRA_GETS = [("schools:school-export", {"fmt": "xlsx"})]


def fill(pattern: Pattern, world: dict) -> dict | None:
    """The URL kwargs for a pattern, or None when no filler knows them."""
    namespace = pattern.name.rsplit(":", 1)[0] if ":" in pattern.name else ""
    if pattern.name.startswith("admin:"):
        return _fill_admin(pattern)
    if pattern.name in FILL_PATTERN:
        values = {}
        for k, v in FILL_PATTERN[pattern.name].items():
            if v.startswith("="):
                values[k] = v[1:]  # a literal value
            elif world.get(v) is not None:
                values[k] = world[v]
            else:
                return None  # the object is not built (yet): reported as unfilled
        for k in pattern.kwargs:
            if k not in values and (namespace, k) in FILL_KWARG:
                values[k] = world[FILL_KWARG[namespace, k]]
        return values if set(values) == set(pattern.kwargs) else None
    values = {}
    for k in pattern.kwargs:
        if (namespace, k) not in FILL_KWARG:
            return None
        values[k] = world[FILL_KWARG[namespace, k]]
    return values


def _fill_admin(pattern: Pattern) -> dict | None:
    """Django's admin is one group rule: its pages are requested with placeholder ids."""
    values = {}
    for k in pattern.kwargs:
        if k == "object_id":
            values[k] = "1"
        elif k == "app_label":
            m = re.search(r"\(\?P<app_label>([a-z_]+)", pattern.route)
            if not m:
                return None
            values[k] = m.group(1)
        else:
            return None
    return values


def url_for(pattern: Pattern, kwargs: dict) -> str:
    if pattern.name.startswith("<"):
        return "/" + pattern.route
    return reverse(pattern.name, kwargs=kwargs)


# --- Classifying a response --------------------------------------------------------------------

LOGIN_PATHS = ("/masuk/", "/admin-teknis/login/")


def outcome_of(response) -> str:
    code = response.status_code
    if 300 <= code < 400:
        location = response.get("Location", "")
        path = location.split("?", 1)[0]
        if any(path.endswith(p) for p in LOGIN_PATHS):
            return "L"
        return "r"
    if 200 <= code < 300:
        return "a"
    return {400: "b", 403: "3", 404: "4", 405: "5", 429: "r"}.get(code, str(code))


# --- Database fingerprints ("GET changes nothing") ---------------------------------------------
# Tables a read may legitimately write: the session (last-seen stamp), axes' logs, and audit rows
# of reads (the project audits who looked at a case or a child's record).
READ_AUDIT_ACTIONS = re.compile(r"(view|viewed|read|opened|listed|download|export|denied|revealed)")
IGNORED_MODELS = {
    "sessions.session",
    "axes.accesslog",
    "axes.accessattempt",
    "axes.accessfailurelog",
}
# Writes a GET may make, each for a stated reason: (pattern, table) -> why.
ALLOWED_GET_WRITES = {
    ("visits:feed-ics", "activities_calendarfeedtoken"): "last-used stamp, once an hour",
    ("accounts:otp-enrol", "otp_totp_totpdevice"): "the one pending (unconfirmed) TOTP secret",
}
IGNORED_TABLES = {"django_session", "axes_accesslog", "axes_accessattempt", "axes_accessfailurelog"}
WRITE_SQL = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


class WriteWatcher:
    """Collects the tables a request writes to (an execute_wrapper on the connection)."""

    def __init__(self):
        self.tables: dict[str, int] = {}

    def __call__(self, execute, sql, params, many, context):
        m = WRITE_SQL.match(sql)
        if m and m.group(2) not in IGNORED_TABLES:
            table = m.group(2)
            if table == "core_auditevent":
                action = _audit_action(sql, params)
                if READ_AUDIT_ACTIONS.search(action or ""):
                    return execute(sql, params, many, context)
                table = f"core_auditevent({action})"
            self.tables[table] = self.tables.get(table, 0) + 1
        return execute(sql, params, many, context)


def _audit_action(sql: str, params) -> str:
    try:
        columns = re.search(r"\(([^)]*)\)\s*VALUES", sql, re.I).group(1)
        names = [c.strip().strip('"') for c in columns.split(",")]
        return str(params[names.index("action")])
    except (AttributeError, ValueError, IndexError, TypeError):
        return ""


def _table_digest() -> str:
    """A digest of every row of every table a GET must not touch (content, not only counts)."""
    h = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in apps.get_models():
            label = model._meta.label_lower
            if label in IGNORED_MODELS or label == "core.auditevent" or model._meta.proxy:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 - our own names
            h.update(label.encode())
            for row in cursor.fetchall():
                h.update(repr(row).encode())
    return h.hexdigest()


# --- The crawl ---------------------------------------------------------------------------------


class LogCatcher(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(f"{record.name}: {record.getMessage()} {record.exc_text or ''}")
        except Exception:
            self.lines.append(f"{record.name}: {record.msg!r}")


@dataclass
class Crawl:
    patterns: list[Pattern]
    unfilled: list[str]
    results: list[Result]
    emails: list[tuple[str, list[str], str]]  # (persona who acted, recipients' personas, text)
    logs: list[str]
    pdf_html: list[str]
    digests: dict[str, tuple[str, str]]  # persona -> (before, after) of all their GETs
    email_owner: dict[str, str]


def _client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is None:
        return client
    client.force_login(user, backend="peksos.accounts.backends.UsernameOrEmailBackend")
    if user.needs_second_factor:
        from django_otp.plugins.otp_static.models import StaticDevice

        device = StaticDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def _request(client: Client, cookies: SimpleCookie, method: str, url: str):
    """One request in a savepoint that is rolled back; on-commit work (e-mails) runs first.
    Stored files are not deleted (a deletion waits for the commit, which never comes here:
    the rolled-back row must still find its file for the next persona)."""
    client.cookies = SimpleCookie()
    client.cookies.load({k: v.value for k, v in cookies.items()})
    cache.clear()
    before = len(mail.outbox)
    with (
        mock.patch.object(FileSystemStorage, "delete", lambda self, name: None),
        transaction.atomic(),
    ):
        watcher = WriteWatcher()
        with (
            connection.execute_wrapper(watcher),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            response = getattr(client, method.lower())(url)
        changed = watcher.tables
        transaction.set_rollback(True)
    return response, changed, mail.outbox[before:]


_CACHE: dict[str, Crawl] = {}


def crawl(django_db_blocker) -> Crawl:
    """Run the crawl once per test session; later callers get the same data."""
    if "crawl" not in _CACHE:
        with django_db_blocker.unblock():
            _CACHE["crawl"] = _crawl()
    return _CACHE["crawl"]


def _crawl() -> Crawl:
    from peksos.celery import app as celery_app
    from schools.seed import load_kota_metro

    media = tempfile.TemporaryDirectory(prefix="peksos-access-")
    saved_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    catcher = LogCatcher()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(catcher)
    root.setLevel(logging.INFO)
    try:
        with (
            override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                STORAGES={
                    **settings.STORAGES,
                    "staticfiles": {
                        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    },
                },
                REQUIRE_2FA=True,
                DEMO=False,
                LANGUAGE_CODE="id",
                MEDIA_ROOT=media.name,
                PRIVATE_MEDIA_ROOT=f"{media.name}/private",
            ),
            transaction.atomic(),
        ):
            from schools.models import School

            if not School.objects.filter(npsn=SCHOOL_A_NPSN).exists():
                load_kota_metro()
            users = make_personas()
            world = build_world(users)
            mail.outbox = []
            catcher.lines.clear()
            result = _run(users, world)
            transaction.set_rollback(True)
    finally:
        root.removeHandler(catcher)
        root.setLevel(old_level)
        celery_app.conf.task_always_eager = saved_eager
        media.cleanup()
    result.logs = catcher.lines
    result.pdf_html = world["pdf_html"]
    return result


def _run(users: dict, world: dict) -> Crawl:
    _CSRF_CLIENTS.clear()
    for persona in ("anon", "koordinator", "peksos_b"):  # log in before the digests are taken
        _csrf_client(persona, users)
    patterns = all_patterns()
    clients = {"anon": (_client_for(None), SimpleCookie())}
    for key in PERSONAS[1:]:
        client = _client_for(users[key])
        clients[key] = (client, SimpleCookie(client.cookies))
    email_owner = world["emails"]
    results, unfilled, emails = [], [], []
    digests = {}
    targets = []
    for pattern in patterns:
        if pattern.name.startswith("admin") and pattern.name not in ADMIN_SAMPLES:
            continue  # the group rule's other pages: enumerated, not requested
        kwargs = fill(pattern, world)
        if kwargs is None:
            unfilled.append(pattern.name)
            continue
        targets.append((pattern, url_for(pattern, kwargs)))
    for name, kwargs in EXTRA_GETS:
        pattern = next((p for p in patterns if p.name == name), None)
        if pattern:
            targets.append((pattern, reverse(name, kwargs=kwargs)))

    for persona in PERSONAS:
        client, cookies = clients[persona]
        digest_before = _table_digest()
        for pattern, url in targets:
            for method in ("GET", "POST"):
                response, changed, sent = _request(client, cookies, method, url)
                result = Result(
                    pattern=pattern.name,
                    persona=persona,
                    method=method,
                    url=url,
                    status=response.status_code,
                    outcome=outcome_of(response),
                    location=response.get("Location", ""),
                    content_type=response.get("Content-Type", ""),
                    headers={k.lower(): v for k, v in response.headers.items()},
                    changed=changed,
                )
                body = b"".join(response) if response.streaming else response.content
                result.canaries = canary_in(readable_text(body, result.content_type))
                if method == "GET" and result.outcome == "a":
                    result.body = body
                csrf_personas = ("anon", "koordinator", "peksos_b")
                if method == "POST" and persona in csrf_personas and result.outcome != "5":
                    result.csrf_status = _csrf_status(persona, users, url, pattern)
                for message in sent:
                    text = f"{message.subject}\n{message.body}\n" + "\n".join(
                        str(c) for c, *_ in getattr(message, "alternatives", []) or []
                    )
                    owners = [email_owner.get(addr, addr) for addr in message.recipients()]
                    emails.append((persona, owners, text))
                results.append(result)
        digests[persona] = (digest_before, _table_digest())
    return Crawl(
        patterns=patterns,
        unfilled=unfilled,
        results=results,
        emails=emails,
        logs=[],
        pdf_html=[],
        digests=digests,
        email_owner=email_owner,
    )


_CSRF_CLIENTS: dict[str, tuple[Client, SimpleCookie]] = {}


def _csrf_status(persona: str, users: dict, url: str, pattern: Pattern) -> int:
    """POST without a CSRF token, with CSRF checks on: the status (403 expected)."""
    client, cookies = _csrf_client(persona, users)
    client.cookies = SimpleCookie()
    client.cookies.load({k: v.value for k, v in cookies.items()})
    cache.clear()
    with transaction.atomic():
        response = client.post(url)
        transaction.set_rollback(True)
    return response.status_code


def _csrf_client(persona: str, users: dict) -> tuple[Client, SimpleCookie]:
    if persona not in _CSRF_CLIENTS:
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if persona != "anon":
            client.cookies = SimpleCookie()
            base = _client_for(users[persona])
            client.cookies = base.cookies
        _CSRF_CLIENTS[persona] = (client, SimpleCookie(client.cookies))
    return _CSRF_CLIENTS[persona]


def readable_text(body: bytes, content_type: str) -> str:
    """What a person could read in a response: the text of HTML/CSV/JSON, the strings of an
    XLSX workbook, the text of a PDF (pdftotext) and its raw bytes."""
    parts = [body.decode("utf-8", "replace")]
    if body[:2] == b"PK":  # XLSX (or any zip): every XML part
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        except zipfile.BadZipFile:
            pass
    if body[:5] == b"%PDF-" and shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-q", "-", "-"], input=body, capture_output=True, timeout=30
        )
        parts.append(done.stdout.decode("utf-8", "replace"))
    return "\n".join(parts)


def canary_in(data: bytes | str) -> list[str]:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return [c for c in CANARIES if c in text]
