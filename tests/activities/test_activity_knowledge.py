"""Knowledge tests of campaigns and trainings (issue 5): question sets with versions, the
phone pre/post test without an account (one attempt per device and phase, paired by a hashed
cookie), paper tests typed by staff, and the figures (mean pre/post, gain, paired gain, per
question, per activity, per school). Views per docs/design.md §3.10."""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import ActivityTest, KnowledgeAttempt, QuestionSet
from activities.services import knowledge as ks
from activities.views.participant import DEVICE_COOKIE
from peksos.core.models import AuditEvent
from tests.factories import correct_answers, make_activity, make_question_set, with_test
from visits.models import Visit

PRE, POST = KnowledgeAttempt.Phase.PRE, KnowledgeAttempt.Phase.POST


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def training(school_a, peksos_budi, psikolog_gita):
    return make_activity(school_a, Visit.Kind.TRAINING, facilitators=[psikolog_gita])


@pytest.fixture
def qset(training):
    return with_test(training)


def answer(client, activity, phase, answers, group="guru"):
    name = "participant:pre-test" if phase == PRE else "participant:post-test"
    data = {"group": group} | {
        f"q{i}": str(a) for i, a in enumerate(answers, start=1) if a is not None
    }
    return client.post(reverse(name, args=[activity.public_code]), data)


def phone_attempt(activity, phase, answers, device):
    return ks.submit_phone_attempt(
        activity, phase=phase, group="guru", answers=answers, device=device
    )


# --- The participant's phone ------------------------------------------------------------------


def test_a_participant_answers_pre_and_post_on_a_phone_once_each(client, training, qset):
    right = correct_answers(qset)
    url = reverse("participant:pre-test", args=[training.public_code])
    page = client.get(url)
    assert page.status_code == 200 and "Pertanyaan nomor 1?" in text(page)
    assert page.cookies[DEVICE_COOKIE]["httponly"] and page["Cache-Control"].count("no-store")
    wrong = [(a + 1) % 4 for a in right]
    response = answer(client, training, PRE, wrong[:2] + right[2:])
    assert response.status_code == 302 and response.url == url
    done = text(client.get(url))
    assert "2 dari 4" in done
    # A second submit changes nothing.
    answer(client, training, PRE, right)
    assert KnowledgeAttempt.objects.filter(phase=PRE).count() == 1
    assert KnowledgeAttempt.objects.get(phase=PRE).score == 2
    # The post-test from the same phone pairs with the pre-test.
    answer(client, training, POST, right)
    attempts = list(KnowledgeAttempt.objects.order_by("phase"))
    assert {a.phase for a in attempts} == {PRE, POST}
    token = client.cookies[DEVICE_COOKIE].value
    assert attempts[0].device_hash == attempts[1].device_hash == ks.device_hash(training, token)
    assert token not in attempts[0].device_hash
    stats = ks.knowledge_summary(type(training).objects.filter(pk=training.pk))["overall"]
    assert stats["pairs"] == 1 and stats["paired_gain"] == 50.0
    # Nothing identifying: no address in the audit rows of these answers.
    rows = AuditEvent.objects.filter(action="activity_test_answered")
    assert rows.count() == 2 and not rows.exclude(ip=None).exists()


def test_another_phone_answers_separately(client, training, qset):
    right = correct_answers(qset)
    answer(client, training, PRE, right)
    answer(Client(), training, PRE, right)
    assert KnowledgeAttempt.objects.filter(phase=PRE).count() == 2


def test_a_missing_answer_is_refused_and_the_other_choices_are_kept(client, training, qset):
    right = correct_answers(qset)
    response = answer(client, training, PRE, [right[0], None, right[2], right[3]])
    assert response.status_code == 200
    body = text(response)
    assert "Pilih satu jawaban." in body
    checked = re.findall(r'name="q(\d)" value="(\d)"[^>]*checked', response.content.decode())
    assert ("1", str(right[0])) in checked and ("3", str(right[2])) in checked
    assert not KnowledgeAttempt.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"group": "guru", "q1": "9", "q2": "0", "q3": "0", "q4": "0"},
        {"group": "x", "q1": "0"},
        {"group": "\x00", "q1": "-1"},
        {},
    ],
)
def test_odd_input_gives_a_form_error(client, training, qset, data):
    response = client.post(reverse("participant:pre-test", args=[training.public_code]), data)
    assert response.status_code == 200 and "form-errors" in response.content.decode()
    assert not KnowledgeAttempt.objects.exists()


def test_closed_forms_accept_nothing(client, training, qset):
    training.participant_forms_open = False
    training.save()
    response = answer(client, training, PRE, correct_answers(qset))
    assert response.status_code == 200 and "participant-closed" in response.content.decode()
    assert not KnowledgeAttempt.objects.exists()


def test_unknown_codes_and_activities_without_a_test(client, school_a, training):
    assert client.get(reverse("participant:pre-test", args=["tidakada"])).status_code == 404
    assert client.get("/ikut/ab%00c/tes-awal/").status_code == 404
    one_day = make_activity(school_a, Visit.Kind.ONE_DAY)
    assert (
        client.get(reverse("participant:pre-test", args=[one_day.public_code])).status_code == 404
    )
    # No set chosen yet: the page says the form is not open.
    page = client.get(reverse("participant:post-test", args=[training.public_code]))
    assert page.status_code == 200 and "participant-closed" in page.content.decode()
    assert (
        client.put(reverse("participant:pre-test", args=[training.public_code])).status_code == 405
    )


# --- Question sets and versions ---------------------------------------------------------------


def questions(n=3, marker="Q"):
    return [
        ks.QuestionData(text=f"{marker}{i}", choices=["a", "b", "c"], correct=i % 3)
        for i in range(n)
    ]


def test_editing_an_answered_set_makes_a_new_version(school_a, training, koordinator_ani):
    v1 = ks.save_question_set(
        title="Set", description="", questions=questions(), by=koordinator_ani
    )
    # Not answered yet: changed in place.
    same = ks.save_question_set(
        title="Set A", description="", questions=questions(4), by=koordinator_ani, existing=v1
    )
    assert same.pk == v1.pk and v1.questions.count() == 4
    ks.choose_set(training, v1, by=koordinator_ani)
    waiting = make_activity(school_a, Visit.Kind.CAMPAIGN)
    ks.choose_set(waiting, v1, by=koordinator_ani)
    phone_attempt(training, PRE, [0, 1, 2, 0], "d1")
    v2 = ks.save_question_set(
        title="Set A", description="", questions=questions(2, "R"), by=koordinator_ani, existing=v1
    )
    v1.refresh_from_db()
    assert v2.pk != v1.pk and v2.version == 2 and v2.root_id == v1.pk
    assert not v1.is_current and v2.is_current
    assert list(v1.questions.values_list("text", flat=True)) == ["Q0", "Q1", "Q2", "Q3"]
    # The answered activity keeps v1; the one not answered yet moves to v2.
    assert ActivityTest.objects.get(activity=training).question_set_id == v1.pk
    assert ActivityTest.objects.get(activity=waiting).question_set_id == v2.pk
    assert KnowledgeAttempt.objects.get().question_set_id == v1.pk
    with pytest.raises(ks.ValidationError):
        ks.save_question_set(title="x", description="", questions=questions(), by=None, existing=v1)
    with pytest.raises(ks.ValidationError):
        ks.choose_set(training, v2, by=koordinator_ani)  # answered: the set stays


def test_choose_set_rules(school_a, koordinator_ani):
    one_day = make_activity(school_a, Visit.Kind.ONE_DAY)
    with pytest.raises(ks.ValidationError):
        ks.choose_set(one_day, make_question_set(), by=koordinator_ani)
    old = make_question_set()
    old.is_current = False
    old.save()
    with pytest.raises(ks.ValidationError):
        ks.choose_set(make_activity(school_a), old, by=koordinator_ani)


def test_question_set_pages(login, psikolog_gita, koordinator_ani):
    client = login(psikolog_gita)
    assert client.get(reverse("activities:question-set-create")).status_code == 200
    data = {
        "title": "Pengasuhan positif",
        "description": "",
        "q-TOTAL_FORMS": "2",
        "q-INITIAL_FORMS": "0",
        "q-0-text": "Apa itu mendengarkan aktif?",
        "q-0-choice_0": "Mendengar sambil menanggapi",
        "q-0-choice_1": "Diam saja",
        "q-0-correct": "0",
        "q-1-text": "",
    }
    response = client.post(reverse("activities:question-set-create"), data)
    qset = QuestionSet.objects.get(title="Pengasuhan positif")
    assert response.status_code == 302 and response.url == reverse(
        "activities:question-set", args=[qset.pk]
    )
    assert list(qset.questions.values_list("choices", "correct")) == [
        (["Mendengar sambil menanggapi", "Diam saja"], 0)
    ]
    detail = text(client.get(response.url))
    assert "Apa itu mendengarkan aktif?" in detail
    # Bad input: a gap in the choices, no correct choice; what was typed stays.
    bad = dict(data, **{"q-1-text": "Soal kedua yang belum selesai", "q-1-choice_1": "B saja"})
    response = client.post(reverse("activities:question-set-edit", args=[qset.pk]), bad)
    assert response.status_code == 200
    assert "Soal kedua yang belum selesai" in text(response) and "B saja" in text(response)
    assert "Isi pilihan berurutan" in text(response) and "Tandai pilihan yang benar." in text(
        response
    )
    assert qset.questions.count() == 1
    assert (
        AuditEvent.objects.filter(action="question_set_created", object_id=str(qset.pk)).count()
        == 1
    )
    # An empty set is refused.
    empty = dict(
        data, **{"q-0-text": "", "q-0-choice_0": "", "q-0-choice_1": "", "q-0-correct": ""}
    )
    response = client.post(reverse("activities:question-set-create"), empty)
    assert response.status_code == 200 and "Tambahkan paling sedikit satu soal." in text(response)


def test_question_set_roles(login, pendamping_hadi, kepsek_indah, guru_eka):
    qset = make_question_set()
    urls = [reverse("activities:question-sets"), reverse("activities:question-set", args=[qset.pk])]
    for url in urls:
        assert Client().get(url).status_code == 302  # anonymous: log in
        assert login(pendamping_hadi).get(url).status_code == 200  # reads
        assert login(kepsek_indah).get(url).status_code == 403
        assert login(guru_eka).get(url).status_code == 403
    for url in (
        reverse("activities:question-set-create"),
        reverse("activities:question-set-edit", args=[qset.pk]),
    ):
        assert login(pendamping_hadi).get(url).status_code == 403
        assert login(pendamping_hadi).post(url, {"title": "x"}).status_code == 403
    assert (
        login(pendamping_hadi).get(reverse("activities:question-set", args=[999999])).status_code
        == 404
    )


def test_question_set_list_queries_are_constant(login, koordinator_ani):
    client = login(koordinator_ani)
    make_question_set(title="A")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("activities:question-sets")).status_code == 200
        return len(queries)

    few = count()
    for i in range(8):
        make_question_set(title=f"Set {i}")
    assert count() == few


# --- Paper tests ------------------------------------------------------------------------------


def paper_data(phase, rows, key="k" * 20):
    data = {"phase": phase, "idempotency_key": key, "baris": "3"}
    for r, row in enumerate(rows):
        for name, value in row.items():
            if name == "answers":
                for q, a in enumerate(value, start=1):
                    data[f"r{r}_q{q}"] = "" if a is None else str(a)
            else:
                data[f"r{r}_{name}"] = value
    return data


def test_staff_enter_a_sheet_of_paper_tests(login, peksos_budi, training, qset):
    right = correct_answers(qset)
    client = login(peksos_budi)
    url = reverse("activities:test-paper", args=[training.pk])
    assert client.get(url).status_code == 200
    rows = [
        {"ref": "1", "group": "orang_tua", "answers": right},
        {"ref": "2", "group": "guru", "score": "1"},
        {"ref": "3", "answers": [right[0], None, None, None]},
    ]
    response = client.post(url, paper_data(PRE, rows))
    assert response.status_code == 302
    scores = dict(KnowledgeAttempt.objects.values_list("paper_ref", "score"))
    assert scores == {"1": 4, "2": 1, "3": 1}
    # The same sheet sent twice is stored once.
    client.post(url, paper_data(PRE, rows))
    assert KnowledgeAttempt.objects.count() == 3
    # A number already entered for the pre-test is refused, keeping what was typed.
    response = client.post(url, paper_data(PRE, [{"ref": "2", "score": "3"}], key="z" * 20))
    assert response.status_code == 200 and "nomor peserta 2" in text(response)
    assert KnowledgeAttempt.objects.count() == 3
    # Post-test on paper pairs by number.
    client.post(url, paper_data(POST, [{"ref": "2", "score": "4"}], key="y" * 20))
    stats = ks.knowledge_summary(type(training).objects.filter(pk=training.pk))["overall"]
    assert stats["pairs"] == 1 and stats["paired_gain"] == 75.0
    assert AuditEvent.objects.filter(action="activity_paper_tests_entered").count() == 2


@pytest.mark.parametrize(
    "rows, message",
    [
        ([{"ref": "7", "answers": [0, 0, 0, 0], "score": "2"}], "jangan keduanya"),
        ([{"ref": "7", "group": "guru"}], "isi jawaban atau skornya"),
        ([{"ref": "7", "score": "99"}], ""),
        ([{"ref": "7", "score": "-1"}], ""),
        ([{"ref": "8", "score": "1"}, {"ref": "8", "score": "2"}], "dua kali"),
        ([], "Lembar masih kosong"),
    ],
)
def test_bad_paper_rows_keep_what_was_typed(login, peksos_budi, training, qset, rows, message):
    url = reverse("activities:test-paper", args=[training.pk])
    response = login(peksos_budi).post(url, paper_data(PRE, rows))
    assert response.status_code == 200
    assert message in text(response)
    for row in rows:
        assert f'value="{row["ref"]}"' in response.content.decode()
    assert not KnowledgeAttempt.objects.exists()


def test_paper_entry_without_a_set_and_for_read_only_roles(
    login, peksos_budi, pendamping_hadi, kepsek_indah, school_a
):
    bare = make_activity(school_a, Visit.Kind.CAMPAIGN)
    response = login(peksos_budi).get(reverse("activities:test-paper", args=[bare.pk]))
    assert response.status_code == 302 and response.url == reverse(
        "activities:test", args=[bare.pk]
    )
    with_test(bare)
    url = reverse("activities:test-paper", args=[bare.pk])
    assert login(pendamping_hadi).get(url).status_code == 404  # not theirs
    # Listed as a facilitator, the pendamping records the tests (issue 18).
    bare.facilitators.add(pendamping_hadi)
    assert login(pendamping_hadi).get(url).status_code == 200
    assert (
        login(kepsek_indah).post(url, paper_data(PRE, [{"ref": "1", "score": "1"}])).status_code
        == 403
    )
    assert not KnowledgeAttempt.objects.exists()


# --- Results ----------------------------------------------------------------------------------


def test_summary_means_gain_paired_gain_and_per_school(school_a, school_b):
    a1 = make_activity(school_a)
    q = with_test(a1)  # 4 questions
    b1 = make_activity(school_b, Visit.Kind.CAMPAIGN)
    with_test(b1, q)
    right = correct_answers(q)
    wrong = [(x + 1) % 4 for x in right]
    # a1: device d1 pre 1/4, post 3/4; d2 pre 2/4 only; d3 post 4/4 only.
    phone_attempt(a1, PRE, right[:1] + wrong[1:], "d1")
    phone_attempt(a1, POST, right[:3] + wrong[3:], "d1")
    phone_attempt(a1, PRE, right[:2] + wrong[2:], "d2")
    phone_attempt(a1, POST, right, "d3")
    # b1: the same device hash "d1" is another person in another activity: no pair with a1.
    phone_attempt(b1, POST, wrong, "d1")
    summary = ks.knowledge_summary(type(a1).objects.all())
    by_activity = {row["activity_id"]: row for row in summary["by_activity"]}
    a = by_activity[a1.pk]
    assert (a["pre_n"], a["post_n"]) == (2, 2)
    assert a["pre_mean"] == 37.5 and a["post_mean"] == 87.5 and a["gain"] == 50.0
    assert a["pairs"] == 1 and a["paired_gain"] == 50.0
    b = by_activity[b1.pk]
    assert b["pre_mean"] is None and b["post_mean"] == 0.0 and b["gain"] is None and b["pairs"] == 0
    assert [s["school_id"] for s in summary["by_school"]] == sorted(
        [school_a.pk, school_b.pk], key=lambda pk: type(school_a).objects.get(pk=pk).name
    )
    overall = summary["overall"]
    assert overall["pre_n"] == 2 and overall["post_n"] == 3
    assert overall["post_mean"] == round((75 + 100 + 0) / 3, 1)
    difficulty = ks.question_difficulty(a1)
    assert [d["pre_correct"] for d in difficulty] == [100.0, 50.0, 0.0, 0.0]
    assert [d["post_correct"] for d in difficulty] == [100.0, 100.0, 100.0, 50.0]


def test_results_page_for_staff_and_aggregates_only_for_the_school(
    login, koordinator_ani, kepsek_indah, sosdesk_citra_sdn1, training, qset
):
    right = correct_answers(qset)
    for i in range(5):
        phone_attempt(training, PRE, [right[0], 9, 9, 9], f"d{i}")
        phone_attempt(training, POST, right, f"d{i}")
    url = reverse("activities:test", args=[training.pk])
    staff = text(login(koordinator_ani).get(url))
    assert "25,0%" in staff and "100,0%" in staff and "+75,0" in staff and 'id="attempts"' in staff
    # 5 people: the principal sees the figures but no individual attempts.
    school = text(login(kepsek_indah).get(url))
    assert "+75,0" in school and "100,0%" in school and 'id="attempts"' not in school
    # 2 post-tests left: the principal no longer sees the post-test mean, nor any gain.
    KnowledgeAttempt.objects.filter(phase=POST, device_hash__in=["d1", "d2", "d3"]).delete()
    school = text(login(kepsek_indah).get(url))
    assert 'id="pre-mean">25,0%' in school and 'id="post-mean">–' in school
    assert "+75,0" not in school and "n = <5" in school
    post_column = re.findall(r'<td class="text-end">([^<]*)</td></tr>', school)
    assert post_column == ["–"] * 4  # per question: no post-test shares either
    # 2 people in all: nothing is shown to the school; everything to the programme staff.
    KnowledgeAttempt.objects.filter(device_hash__in=["d1", "d2", "d3"]).delete()
    for user in (kepsek_indah, sosdesk_citra_sdn1):
        page = text(login(user).get(url))
        assert 'id="results-hidden"' in page and "+75,0" not in page and "25,0%" not in page
    staff = text(login(koordinator_ani).get(url))
    assert 'id="results-hidden"' not in staff and "+75,0" in staff


def test_results_page_scope(
    login, client, training, qset, peksos_joko_sdn2, guru_eka, psikolog_gita, pendamping_hadi
):
    url = reverse("activities:test", args=[training.pk])
    assert client.get(url).status_code == 302
    assert login(peksos_joko_sdn2).get(url).status_code == 404
    assert login(pendamping_hadi).get(url).status_code == 404
    assert login(guru_eka).get(url).status_code == 403
    assert login(psikolog_gita).get(url).status_code == 200  # leads the session
    assert login(psikolog_gita).post(url).status_code == 405


def test_choosing_the_set(login, peksos_budi, kepsek_indah, school_a):
    activity = make_activity(school_a, Visit.Kind.CAMPAIGN)
    qset = make_question_set()
    url = reverse("activities:test-choose", args=[activity.pk])
    assert login(peksos_budi).get(url).status_code == 405
    assert login(kepsek_indah).post(url, {"question_set": qset.pk}).status_code == 403
    for bad in ("999999", "abc", "\x00", ""):
        response = login(peksos_budi).post(url, {"question_set": bad})
        assert response.status_code == 302
    assert not ActivityTest.objects.exists()
    login(peksos_budi).post(url, {"question_set": qset.pk})
    assert ActivityTest.objects.get(activity=activity).question_set == qset
    page = text(login(peksos_budi).get(reverse("activities:test", args=[activity.pk])))
    assert qset.title in page


def test_overview_by_school_is_scoped_and_its_queries_constant(
    login, koordinator_ani, kepsek_indah, school_a, school_b
):
    a = make_activity(school_a)
    q = with_test(a)
    for i in range(5):
        phone_attempt(a, PRE, correct_answers(q), f"a{i}")
    b = make_activity(school_b)
    with_test(b, q)
    phone_attempt(b, PRE, correct_answers(q), "b0")
    url = reverse("activities:knowledge-overview")
    page = text(login(kepsek_indah).get(url))
    assert school_a.name in page and school_b.name not in page
    client = login(koordinator_ani)
    page = text(client.get(url))
    assert school_a.name in page and school_b.name in page

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for i in range(4):
        other = make_activity(school_b, Visit.Kind.CAMPAIGN)
        with_test(other, q)
        phone_attempt(other, POST, correct_answers(q), f"x{i}")
    assert count() == few


def test_editing_an_answered_set_through_the_page_makes_version_2(
    login, peksos_budi, training, qset
):
    phone_attempt(training, PRE, correct_answers(qset), "d1")
    client = login(peksos_budi)
    url = reverse("activities:question-set-edit", args=[qset.pk])
    page = client.get(url)
    assert page.status_code == 200 and "versi baru" in text(page)
    data = {
        "title": qset.title,
        "description": "",
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-0-text": "Soal yang diperbaiki?",
        "q-0-choice_0": "Ya",
        "q-0-choice_1": "Tidak",
        "q-0-correct": "1",
    }
    response = client.post(url, data)
    new = QuestionSet.objects.get(root=qset)
    assert response.status_code == 302 and response.url == reverse(
        "activities:question-set", args=[new.pk]
    )
    assert new.version == 2 and qset.questions.count() == 4 and new.questions.count() == 1
    # The old version can no longer be edited: the page sends to the old version's record.
    assert client.get(url).status_code == 302
    assert AuditEvent.objects.filter(action="question_set_new_version").count() == 1


def test_links_and_qr_codes_for_participants(
    login, client, training, qset, peksos_budi, peksos_joko_sdn2, guru_eka, school_a
):
    tools = reverse("activities:participant-tools", args=[training.pk])
    qr = reverse("activities:participant-qr", args=[training.pk, "tes-awal"])
    assert client.get(tools).status_code == 302 and client.get(qr).status_code == 302
    staff = login(peksos_budi)
    page = text(staff.get(tools))
    assert (
        f"/ikut/{training.public_code}/tes-awal/" in page
        and f"/ikut/{training.public_code}/umpan-balik/" in page
    )
    image = staff.get(qr)
    assert image.status_code == 200 and image["Content-Type"] == "image/svg+xml"
    assert image.content.lstrip().startswith(b"<?xml") and b"<svg" in image.content
    assert (
        staff.get(reverse("activities:participant-qr", args=[training.pk, "lain"])).status_code
        == 404
    )
    one_day = make_activity(school_a, Visit.Kind.ONE_DAY)
    assert (
        staff.get(reverse("activities:participant-qr", args=[one_day.pk, "tes-awal"])).status_code
        == 404
    )
    assert (
        staff.get(
            reverse("activities:participant-qr", args=[one_day.pk, "umpan-balik"])
        ).status_code
        == 200
    )
    assert staff.post(tools).status_code == 405
    assert login(peksos_joko_sdn2).get(tools).status_code == 404
    assert login(guru_eka).get(tools).status_code == 403
