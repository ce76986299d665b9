"""The impact report's activities section: activities by type and tier, reach by group and
sex (suppressed, with a second cell hidden where one alone could be subtracted), knowledge
gains and feedback, withheld when they rest on fewer than 5 answers outside the office."""

from datetime import date

import pytest

from activities.models import Activity, AttendanceCount
from activities.models.feedback import Feedback
from activities.models.knowledge import KnowledgeAttempt, QuestionSet
from reports import builder
from reports.builder.activities import activities_section
from tests.factories import NOW, city_report, make_visit, school_report
from tests.reports.pdf_helpers import build, id_
from visits.models import Visit


def make_activity(school, day, kind, state=Activity.State.HELD) -> Activity:
    visit = make_visit(school, day, Visit.State.DONE, kind)
    return Activity.objects.create(visit=visit, kind=kind, date=day, state=state)


def attend(activity, **counts) -> None:
    for key, n in counts.items():
        group, sex = key.rsplit("_", 1)
        AttendanceCount.objects.create(activity=activity, group=group, sex=sex, count=n)


def attempts(activity, phase, scores, qset) -> None:
    for i, score in enumerate(scores):
        KnowledgeAttempt.objects.create(
            activity=activity,
            question_set=qset,
            phase=phase,
            source=KnowledgeAttempt.Source.PAPER,
            paper_ref=str(i + 1),
            score=score,
            max_score=10,
        )


def feedback(activity, values) -> None:
    for i, value in enumerate(values):
        Feedback.objects.create(
            activity=activity,
            satisfaction=value,
            usefulness=value,
            clarity=value,
            device_hash=f"{activity.pk}-{i}",
        )


@pytest.fixture
def data(school_a, school_b):
    qset = QuestionSet.objects.create(title="Deteksi dini")
    training = make_activity(school_a, date(2026, 2, 10), Visit.Kind.TRAINING)
    attend(training, guru_L=6, guru_P=14, orang_tua_P=3)
    attempts(training, KnowledgeAttempt.Phase.PRE, [4, 5, 6, 5, 5, 3], qset)
    attempts(training, KnowledgeAttempt.Phase.POST, [8, 8, 9, 7, 8, 8], qset)
    feedback(training, [5, 4, 5, 5, 4, 5])
    campaign = make_activity(school_b, date(2025, 9, 1), Visit.Kind.CAMPAIGN)
    attend(campaign, siswa_sd_L=40, siswa_sd_P=38)
    feedback(campaign, [3, 4])
    make_activity(school_b, date(2026, 3, 1), Visit.Kind.ONE_DAY, state=Activity.State.PLANNED)
    # Outside the period: not counted.
    old = make_activity(school_a, date(2025, 3, 1), Visit.Kind.CAMPAIGN)
    attend(old, siswa_sd_L=100)
    return {"training": training, "campaign": campaign}


def section_of(report) -> builder.Section:
    scope = builder.Scope(
        report,
        report.period_start,
        report.period_end,
        report.outside_office,
        NOW,
    )
    return activities_section(scope)


def table(section, title: str) -> builder.Table:
    return next(t for t in section.tables if t.title == id_(title))


def rows_by_label(t: builder.Table) -> dict:
    return {row[0]: row[1:] for row in t.rows}


def test_internal_city_report_counts_everything(data, frozen_now):
    section = section_of(city_report())
    headlines = dict(section.headlines)
    assert list(headlines.values())[:3] == [2, 101, 2]  # held, reached, schools
    kinds = {row[0]: row[1:] for row in table(section, "Activities by type").rows}
    assert list(kinds.values()) == [[1, 1, 1], [2, 1, 1], [1, 0, 1]]  # tier, held, all
    groups = rows_by_label(table(section, "Participants by group and sex"))
    assert [0, 3, 3] in groups.values()  # nothing suppressed inside the office
    assert list(groups.values())[-1] == [46, 55, 101]
    knowledge = table(section, "Knowledge tests before and after")
    assert knowledge.rows[0][1:] == [6, 6, "46,7", "80,0", "+33,3"]
    feedback_rows = table(section, "Participants' feedback").rows
    assert feedback_rows[0][1] == 8
    assert feedback_rows[0][2] == "4,38"  # (5+4+5+5+4+5+3+4) / 8


def test_outside_the_office_small_counts_and_thin_means_are_hidden(data, frozen_now):
    section = section_of(city_report(outside=True))
    groups = table(section, "Participants by group and sex").rows
    parents = next(row for row in groups if row[3] == "<5")
    # 0 fathers, 3 mothers: the 3 is suppressed; the total is <5 too.
    assert parents[1:] == [0, "<5", "<5"]
    teachers = next(row for row in groups if row[3] == 20)
    assert teachers[1:] == [6, 14, 20]
    # Feedback: school B's 2 answers give no mean; school A's 6 do.
    by_school = {row[0]: row[1:] for row in table(section, "Participants' feedback").rows}
    (b_row,) = [row for name, row in by_school.items() if name == data["campaign"].school.name]
    assert b_row == ["<5", "–", "–", "–"]
    (a_row,) = [row for name, row in by_school.items() if name == data["training"].school.name]
    assert a_row[0] == 6 and a_row[1] != "–"


def test_school_report_has_only_its_school(data, frozen_now):
    section = section_of(school_report(data["campaign"].school, outside=False))
    headlines = dict(section.headlines)
    assert list(headlines.values())[:3] == [1, 78, 1]
    assert not any(
        t.title == id_("Knowledge tests before and after") for t in section.tables
    )  # no tests at school B


def test_the_city_pdf_has_the_section(data, frozen_now, media):
    _report, text, _raw = build(city_report(), [])
    assert id_("Participants by group and sex") in text
    assert "+33,3" in text
