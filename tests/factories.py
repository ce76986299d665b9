"""The builders the tests share, in one place: users, visits and cases, participant-side
activities, forum posts, children's records and public SOS Desk reports.

Plain functions and constants only: pytest fixtures live in the conftest.py files (the
personas in tests/conftest.py). Names that two apps would share carry the app's word
(question_detail, record_detail); a test module may import them under its short name.
"""

import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Question, QuestionSet
from activities.services import knowledge as knowledge_services
from forum import permissions
from forum import services as forum_services
from forum.models import Category
from forum.models import Question as ForumQuestion
from monitoring import services as monitoring_services
from monitoring.models import ChildRecord
from peksos.accounts.models import User
from reports.models import PeriodKind, Report
from schools.models import School, SchoolMembership
from sosdesk.models import Case
from visits.models import Visit, VisitMember, school_year_of, semester_of

# --- Users and schools ------------------------------------------------------------------------

SCHOOL_A_NPSN = "10807637"  # UPTD SD NEGERI 1 METRO PUSAT
SCHOOL_B_NPSN = "10807680"  # UPTD SD NEGERI 2 METRO PUSAT
PASSWORD = "kata-sandi-uji-123"


def make_user(username: str, role: str, *schools: School) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        first_name=username.split("_")[1].title(),
        role=role,
    )
    for school in schools:
        SchoolMembership.objects.create(user=user, school=school)
    return user


# --- Visits and cases: the impact report's known data set (tests/reports/conftest.py) ----------

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=WIB)
YEAR_START = date(2025, 7, 1)
YEAR_END = date(2026, 6, 30)
CANARY_REPORTER = "CANARY-REPORTER-Siti-Rahayu-4471"
CANARY_CONTACT = "0812-CANARY-5530"
CANARY_NARRATIVE = "CANARY-NARRATIVE-9182"


def make_visit(school: School, day: date, state: str, kind: str = Visit.Kind.CAMPAIGN) -> Visit:
    return Visit.objects.create(
        school=school,
        date=day,
        school_year=school_year_of(day),
        semester=semester_of(day),
        state=state,
        kind=kind,
    )


def make_case(school: School, forms: list[str], at: datetime, **kwargs) -> Case:
    return Case.objects.create(
        school=school,
        channel=kwargs.pop("channel", Case.Channel.PUBLIC_FORM),
        narrative=f"{CANARY_NARRATIVE} {kwargs.pop('narrative', '')}",
        forms=forms,
        modalities=kwargs.pop("modalities", []),
        status=kwargs.pop("status", Case.Status.RECEIVED),
        received_at=at,
        stage_changed_at=at,
        **kwargs,
    )


def city_report(*, outside: bool = False, by=None, **kwargs) -> Report:
    return Report.objects.create(
        kind=Report.Kind.CITY,
        period_kind=PeriodKind.SCHOOL_YEAR,
        period_start=YEAR_START,
        period_end=YEAR_END,
        outside_office=outside,
        requested_by=by,
        **kwargs,
    )


def school_report(school: School, *, outside: bool = True, by=None) -> Report:
    return Report.objects.create(
        kind=Report.Kind.SCHOOL,
        period_kind=PeriodKind.SCHOOL_YEAR,
        period_start=YEAR_START,
        period_end=YEAR_END,
        school=school,
        outside_office=outside,
        requested_by=by,
    )


# --- Participant side of activities (knowledge tests, feedback, draws) ------------------------

DAY = date(2026, 8, 4)


def make_activity(school, kind=Visit.Kind.TRAINING, *, facilitators=(), open_forms=True, **kw):
    visit = Visit(school=school, state=Visit.State.AGREED, kind=kind)
    visit.set_date(kw.pop("day", DAY))
    visit.save()
    activity = Activity.objects.create(
        visit=visit, kind=kind, date=visit.date, participant_forms_open=open_forms, **kw
    )
    for user in facilitators:
        activity.facilitators.add(user)
        VisitMember.objects.get_or_create(visit=visit, user=user, defaults={"role": user.role})
    return activity


def make_question_set(n: int = 4, title: str = "Deteksi dini kekerasan") -> QuestionSet:
    """n questions, each with choices A-D; the correct choice of question i is i mod 4."""
    qset = QuestionSet.objects.create(title=title)
    for i in range(1, n + 1):
        Question.objects.create(
            question_set=qset,
            position=i,
            text=f"Pertanyaan nomor {i}?",
            choices=[f"Pilihan {c}" for c in "ABCD"],
            correct=(i - 1) % 4,
        )
    return qset


def correct_answers(qset: QuestionSet) -> list[int]:
    return list(qset.questions.order_by("position").values_list("correct", flat=True))


def with_test(activity: Activity, qset: QuestionSet | None = None) -> QuestionSet:
    qset = qset or make_question_set()
    knowledge_services.choose_set(activity, qset, by=None)
    return qset


# --- Forum: posting through the services, and its URLs -----------------------------------------

FORUM_LIST = reverse("forum:question-list")
FORUM_ASK = reverse("forum:question-create")
FORUM_QUEUE = reverse("forum:moderation-queue")
REAL_POSTS_PER_WINDOW = forum_services.POSTS_PER_WINDOW


def relax_new_account_rules(monkeypatch) -> None:
    """Most tests are not about new accounts or rates: every persona posts and links at once,
    as often as the test needs."""
    monkeypatch.setattr(forum_services, "POSTS_PER_WINDOW", 1000)
    monkeypatch.setattr(forum_services, "POSTS_PER_DAY", 1000)
    monkeypatch.setattr(permissions, "REVIEWED_FIRST_POSTS", 0)
    monkeypatch.setattr(permissions, "TRUSTED_AFTER_POSTS", 0)
    monkeypatch.setattr(permissions, "TRUSTED_AFTER_DAYS", 0)


def topic(slug: str = "perundungan") -> Category:
    return Category.objects.get(slug=slug)


def ask(author, *, title="Anak saya diejek teman sekelas, bagaimana?", body=None, **kwargs):
    return forum_services.question_ask(
        author=author,
        category=kwargs.pop("category", None) or topic(),
        title=title,
        body=body or "Sudah dua minggu ia tidak mau berangkat sekolah. Apa yang bisa saya lakukan?",
        **kwargs,
    )


def reply(
    question: ForumQuestion,
    author,
    body="Ajak anak bercerita dengan tenang, lalu temui wali kelas.",
):
    return forum_services.answer_post(question=question, author=author, body=body)


def question_detail(question) -> str:
    return reverse("forum:question-detail", args=[question.uid])


def post_url(name: str, post) -> str:
    return reverse(f"forum:{name}", args=[post.uid])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Monitoring: a child's record with canary name and guardian --------------------------------

CANARY = "CANARY-CHILD-5531"
CANARY_GUARDIAN = "CANARY-GUARDIAN-0813"


def birth_year(age: int = 10) -> int:
    return timezone.localdate().year - age


def open_record(school, by, *, name=CANARY, class_level="4", age=10, **extra) -> ChildRecord:
    return monitoring_services.record_open(
        school=school,
        class_level=class_level,
        sex="P",
        birth_year=birth_year(age),
        name=name,
        guardian_contact=CANARY_GUARDIAN,
        by=by,
        **extra,
    )


def record_detail(record) -> str:
    return reverse("monitoring:record-detail", args=[record.code])


# --- SOS Desk: the public report form ---------------------------------------------------------

PUBLIC_RECEIPT = reverse("lapor:receipt")
NARRATIVE = "Seorang murid kelas 4 dipukul temannya di kantin saat istirahat."


def idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def public_report(**overrides) -> dict:
    """The public form's fields for an anonymous report of physical bullying."""
    data = {
        "narrative": NARRATIVE,
        "violence": ["fisik", "perundungan"],
        "modalities": ["fisik", "verbal"],
        "scope": "dalam",
        "occurred_on": "",
        "occurred_text": "Senin lalu",
        "affected": ["murid"],
        "ongoing_danger": "tidak",
        "identity": "anonim",
        "idempotency_key": idempotency_key(),
    }
    data.update(overrides)
    return data


def gps_jpeg(name: str = "foto.jpg", *, appended: bytes = b""):
    """A small JPEG with a GPS position in its EXIF (and `appended` bytes after its end)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, TiffImagePlugin

    exif = Image.Exif()
    exif[0x8825] = {
        1: "S",
        2: (TiffImagePlugin.IFDRational(5), TiffImagePlugin.IFDRational(6), 0),
    }
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (150, 60, 60)).save(out, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue() + appended, content_type="image/jpeg")


# --- SOS Desk: protection of the reporter and of the case (issue 19) --------------------------


def file_report(school, *, narrative: str = NARRATIVE, **kwargs):
    """A report filed through the service (as by the public form), anonymous, physical."""
    from sosdesk.models import Case
    from sosdesk.services import case_file

    fields = {
        "school": school,
        "channel": Case.Channel.PUBLIC_FORM,
        "narrative": narrative,
        "forms": ["fisik"],
        "modalities": ["fisik"],
        "scope": "dalam",
        "affected": ["murid"],
        "ongoing_danger": "tidak",
    }
    fields.update(kwargs)
    return case_file(**fields).case


def desk_member_account(school, username: str, role: str, *, principal: bool = False) -> User:
    """An account of `school` that sits on its SOS Desk (a DeskMember linked to it)."""
    from sosdesk.models import Desk, DeskMember

    user = make_user(username, role, school)
    desk, _created = Desk.objects.get_or_create(school=school)
    DeskMember.objects.create(
        desk=desk,
        name=username,
        position=DeskMember.Position.TEACHER,
        user=user,
        is_principal=principal,
    )
    return user


# --- SOS Desk: the PPKSP procedure of a case (issue 19, sosdesk/procedure/) --------------------

PARTY_CANARY = "CANARY-party-name-5c1e"


def filed_case(school: School, *, forms=("perundungan",)) -> Case:
    """A case received through the desk's services (with its timeline), not yet triaged."""
    from sosdesk import services as desk_services

    return desk_services.case_file(
        school=school,
        channel=Case.Channel.IN_PERSON,
        narrative=f"{CANARY_NARRATIVE} procedure",
        forms=list(forms),
        modalities=["verbal"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
    ).case


def add_party(case: Case, by: User, *, role="korban", name=PARTY_CANARY, **extra):
    from sosdesk.procedure import parties

    fields = {"category": "peserta_didik", "sex": "P", "age_band": "13-17", **extra}
    return parties.party_add(case=case, role=role, name=name, by=by, **fields)


def held_interview(case: Case, party, by: User, *, summary="Ringkasan wawancara."):
    from datetime import timedelta

    from sosdesk.procedure import examination

    planned = timezone.now() - timedelta(hours=2)
    interview = examination.interview_plan(
        case=case, party=party, planned_at=planned, interviewers="Ibu Wati", by=by
    )
    return examination.interview_record(
        interview=interview, held_at=planned, summary=summary, by=by
    )


def make_chair(school: School, user: User, name: str = "Ibu Ketua"):
    from sosdesk import services as desk_services

    desk = desk_services.desk_ensure(school, by=user)
    return desk_services.desk_member_add(
        desk=desk, name=name, position="guru", is_chair=True, user=user, by=user
    )


def approved_conclusion(case: Case, by: User, *, finding="terbukti", level="sedang"):
    from sosdesk.procedure import conclusion

    conclusion.conclusion_save(
        case=case,
        finding=finding,
        sanction_level=level if finding == "terbukti" else "",
        sanction="Pembinaan dan teguran tertulis.",
        victim_recovery="Konseling di sekolah.",
        continued_schooling="Tetap bersekolah di kelas yang sama.",
        reasoning="Keterangan saksi saling menguatkan.",
        by=by,
    )
    return conclusion.conclusion_approve(case=case, by=by)
