"""Forum threads between parents, teachers and the programme's staff: most answered with an
accepted answer, one still open, and one post held for review. Written straight to the
tables (the posting services' rate limits are for people, not for a seed), with the
answer counts the lists read written down (and the forum figure counted again: an UPDATE
bypasses `Question.save`)."""

from datetime import timedelta

from forum import figures
from forum.models import Answer, Category, ModerationNote, Question
from peksos.accounts.models import Role, User

THREADS = [
    (
        "emosi-perilaku",
        "Anak saya tiba-tiba tidak mau sekolah",
        "Sudah seminggu anak kelas 4 saya menangis setiap pagi dan tidak mau berangkat. "
        "Di rumah ia diam saja. Apa yang sebaiknya saya lakukan?",
        "Ajak anak bercerita di waktu santai tanpa mendesak, lalu hubungi wali kelasnya. "
        "Bila ada tanda perundungan, laporkan ke SOS Desk sekolah; kami bisa mendampingi.",
    ),
    (
        "kehidupan-sekolah",
        "Cara menegur murid tanpa membentak",
        "Di kelas saya ada murid yang sering mengganggu teman. Bagaimana menegurnya tanpa "
        "mempermalukan dia di depan kelas?",
        "Tegur secara pribadi setelah pelajaran, sebut perilakunya (bukan anaknya), dan "
        "sepakati bersama apa yang akan dilakukan lain kali.",
    ),
    (
        "keamanan-daring",
        "Foto murid disebar di grup kelas",
        "Ada foto murid yang diedit lalu disebar di grup WhatsApp. Apa langkah pertama?",
        "Simpan bukti seperlunya tanpa menyebarkannya lagi, minta admin grup menghapusnya, "
        "dan catat kejadian ini di SOS Desk agar TPPK menindaklanjuti.",
    ),
    (
        "pengasuhan",
        "Anak suka memukul adiknya",
        "Anak saya umur 8 tahun sering memukul adiknya kalau kesal. Saya harus bagaimana?",
        "Beri contoh cara menyalurkan marah (menarik napas, bercerita), puji saat ia "
        "berhasil menahan diri, dan hindari hukuman fisik.",
    ),
    (
        "kehidupan-sekolah",
        "Jadwal kegiatan One Day for Children",
        "Kapan sekolah kami bisa mendapat kegiatan One Day for Children semester ini?",
        "",
    ),
]


def make(year) -> None:
    now = year.now
    by_role = {
        role: User.objects.filter(role=role).order_by("pk").first()
        for role in (Role.ORANG_TUA, Role.GURU, Role.KEPALA_SEKOLAH, Role.PSIKOLOG, Role.PEKSOS)
    }
    askers = [by_role[Role.ORANG_TUA], by_role[Role.GURU], by_role[Role.KEPALA_SEKOLAH]]
    answerers = [by_role[Role.PSIKOLOG], by_role[Role.PEKSOS]]
    categories = {c.slug: c for c in Category.objects.all()}
    for n, (slug, title, body, reply) in enumerate(THREADS):
        asked = now - timedelta(days=60 - n * 9)
        question = Question.objects.create(
            category=categories[slug],
            title=title,
            body=body,
            author=askers[n % len(askers)],
            status=Question.Status.PUBLISHED,
            published_at=asked,
            pseudonymous=n % 2 == 0,
        )
        Question.objects.filter(pk=question.pk).update(created_at=asked)
        if not reply:
            continue
        answer = Answer.objects.create(
            question=question,
            author=answerers[n % 2],
            body=reply,
            status=Answer.Status.PUBLISHED,
            published_at=asked + timedelta(hours=20),
            helpful_count=2 + n,
        )
        Question.objects.filter(pk=question.pk).update(
            accepted_answer=answer, answer_count=1, last_answer_at=answer.published_at
        )
        figures.changed([question.school_id])
    held = Question.objects.create(
        category=categories["forum"] if "forum" in categories else categories["pengasuhan"],
        title="Pertanyaan pertama saya",
        body="Halo, saya orang tua baru di forum ini. Bagaimana cara bertanya ke psikolog?",
        author=by_role[Role.ORANG_TUA],
        status=Question.Status.PENDING,
    )
    ModerationNote.objects.create(
        question=held, action=ModerationNote.Action.HELD, reasons=[ModerationNote.NEW_ACCOUNT]
    )
    year.counts["utas forum"] = len(THREADS) + 1
