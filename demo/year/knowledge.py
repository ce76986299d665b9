"""Knowledge tests for the held campaigns and trainings: one question set, chosen for each,
and paper tests typed in before and after (scores that rise), through the activities
services (scores are computed and capped there)."""

from activities.models import Activity
from activities.services.knowledge import (
    TEST_KINDS,
    PaperRow,
    QuestionData,
    choose_set,
    enter_paper_attempts,
    save_question_set,
)

QUESTIONS = [
    QuestionData("Mengejek teman terus-menerus termasuk…", ["bercanda", "perundungan"], 1),
    QuestionData("Jika melihat teman dipukul, sebaiknya…", ["diam saja", "lapor ke guru"], 1),
    QuestionData("SOS Desk di sekolah adalah tempat…", ["melapor kekerasan", "jajan"], 0),
    QuestionData("Menyebar foto teman tanpa izin itu…", ["boleh", "tidak boleh"], 1),
    QuestionData("Hukuman fisik membuat anak…", ["takut, bukan belajar", "lebih pintar"], 0),
]


def make(year, activities: list[Activity], by) -> int:
    rng = year.rng
    qset = save_question_set(
        title="Pengetahuan dasar pencegahan kekerasan",
        description="Lima pertanyaan untuk murid dan guru, sebelum dan sesudah kegiatan.",
        questions=QUESTIONS,
        existing=None,
        by=by,
    )
    tested = 0
    for activity in activities:
        if activity.kind not in TEST_KINDS:
            continue
        choose_set(activity, qset, by=by)
        people = rng.randint(12, 20)
        for phase, low, high in (("awal", 1, 3), ("akhir", 3, 5)):
            rows = [
                PaperRow(ref=str(n), group="siswa_sd", answers=None, score=rng.randint(low, high))
                for n in range(1, people + 1)
            ]
            enter_paper_attempts(
                activity, phase=phase, rows=rows, batch_key=f"demo-{activity.pk}-{phase}", by=by
            )
        tested += 1
    return tested
