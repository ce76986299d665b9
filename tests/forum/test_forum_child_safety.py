"""The child-identity check before a forum post is published (UU SPPA Pasal 19): a table of
Indonesian posts that must be held and posts that must pass. Pure functions, no database."""

import pytest

from forum import child_safety as cs

HELD = [
    # A name next to a word for a child
    ("Anak saya Budi sering dipukul temannya di kelas.", cs.CHILD_NAME),
    ("anak saya Rina tidak mau sekolah lagi sejak minggu lalu", cs.CHILD_NAME),
    ("Murid saya, Dimas, suka menyendiri saat istirahat.", cs.CHILD_NAME),
    ("Bagaimana menghadapi siswa Andi yang suka memalak?", cs.CHILD_NAME),
    ("Siswi kelas 4 Putri Ayu menangis setiap pagi.", cs.CHILD_NAME),
    ("anak saya yang bernama dimas diejek gendut", cs.CHILD_NAME),
    ("Putri saya namanya salsa, umur 9 tahun, takut ke sekolah.", cs.CHILD_NAME),
    ("Kemarin si Joko mengancam adiknya pakai pisau.", cs.CHILD_NAME),
    ("Anakku Nabila dikucilkan di grup WA kelas.", cs.CHILD_NAME),
    ("Anak kami yang sulung, Fadli, kena perundungan.", cs.CHILD_NAME),
    ("murid saya inisial R sering datang dengan lebam", cs.CHILD_NAME),
    ("Ananda Zahra-Putri sudah dua minggu murung.", cs.CHILD_NAME),
    ("Cucu saya (Rafi, 7 th) ketakutan kalau ditanya soal sekolah.", cs.CHILD_NAME),
    ("Peserta didik Aldi dipukul kakak kelasnya.", cs.CHILD_NAME),
    ("Anak saya dipanggil Ucok oleh teman-temannya dan ia sedih.", cs.CHILD_NAME),
    # NISN and NIK/KK-like numbers
    ("NISN anak saya 0123456789, tolong dicek datanya.", cs.STUDENT_NUMBER),
    ("nomor induk 3101234567 kok tidak terdaftar", cs.STUDENT_NUMBER),
    ("NIK anak: 1872011203150001", cs.ID_NUMBER),
    ("KK kami 1872 0112 0315 0001 sudah diperbarui", cs.ID_NUMBER),
    ("nik 1872-0112-0315-0001", cs.ID_NUMBER),
    # Phone numbers
    ("Hubungi saya di 081234567890 ya bu", cs.PHONE),
    ("WA: 0812-3456-7890", cs.PHONE),
    ("nomor ayahnya +62 812 3456 7890", cs.PHONE),
    ("telp 6285712345678 kalau mau tahu", cs.PHONE),
    ("rumahnya (0725) 41234", cs.PHONE),
    ("kantor 0725-41234", cs.PHONE),
    ("0857 1234 5678", cs.PHONE),
    # A class together with a school
    ("Di kelas 5B SDN 1 ada yang sering dipalak.", cs.CLASS_AND_SCHOOL),
    ("kejadiannya di kelas V SD Negeri 2 Metro", cs.CLASS_AND_SCHOOL),
    ("Anak kelas 3 A di SMPN 4 Metro dikeroyok.", cs.CLASS_AND_SCHOOL),
    ("kls 2c sd 6 metro barat", cs.CLASS_AND_SCHOOL),
    ("Murid kelas VIII-B MTsN 1 dibully di medsos.", cs.CLASS_AND_SCHOOL),
    ("SD Muhammadiyah, kelas 4, ada anak yang dikunci di kamar mandi", cs.CLASS_AND_SCHOOL),
    ("kelas 1 MIN 2 Metro", cs.CLASS_AND_SCHOOL),
    # Addresses and e-mail
    ("Rumahnya di Jl. Melati No. 12 dekat masjid.", cs.ADDRESS),
    ("tinggal di RT 03/RW 05 Yosodadi", cs.ADDRESS),
    ("Kirim ke ibu.rina@gmail.com saja.", cs.EMAIL),
    ("Dia lahir 12-05-2015 dan sekarang kelas 4.", cs.BIRTH_DATE),
    ("TTL: Metro, 3 Maret 2016", cs.BIRTH_DATE),
    ("murid kelas 5 Budi dipukul", cs.CHILD_NAME),
]

PASSED = [
    "Anak saya suka bermain dan sekarang tidak mau sekolah. Apa yang harus saya lakukan?",
    "Bagaimana cara bicara dengan anak tentang perundungan?",
    "Murid saya sering menyendiri saat istirahat, apa tandanya?",
    "Siswa kelas 5 di sekolah kami banyak yang main game online sampai larut.",
    "Anak saya kelas 3 SD, sering mengeluh sakit perut pagi hari.",
    "Anak saya Sering menangis kalau mau berangkat sekolah.",
    "Anak saya (8 tahun) takut gelap, normalkah?",
    "Anak saya SD kelas 4, apakah perlu HP sendiri?",
    "Sudah 3 hari anak saya murung. Dia tidak mau cerita.",
    "Siswa SMP sekarang banyak yang kena judi online.",
    "Biaya les Rp 1.500.000 per bulan terlalu mahal?",
    "Pada tahun 2023 2024 kasus perundungan naik.",
    "Jam 07.30 sampai 12.00 anak saya di sekolah.",
    "Anak saya sudah kelas 6, sebentar lagi ujian.",
    "Di sekolah anak saya ada program anti-perundungan, bagus sekali.",
    "Apakah SDN di Metro punya TPPK?",
    "Pak, murid yang sering terlambat itu sebaiknya ditegur bagaimana?",
    "Anak saya laki-laki, umur 10 tahun, suka main HP.",
    "Mi ayam di kantin sekolah enak, anak saya suka.",
    "Jalan kaki ke sekolah aman tidak untuk anak kelas 2?",
    "Siswa-siswi perlu diajari cara melapor ke guru BK.",
    "Anak saya Bu, tidak mau makan siang di sekolah.",
    "Si kecil takut sama gurunya yang galak.",
    "Anak saya lahir tahun 2015, sekarang kelas 4.",
    "Tolong baca artikel https://kemenpppa.go.id/ tentang pengasuhan.",
]


@pytest.mark.parametrize(("text", "kind"), HELD)
def test_posts_that_identify_a_child_are_held(text, kind):
    assert kind in cs.reasons(text), (text, cs.check(text))


@pytest.mark.parametrize("text", PASSED)
def test_ordinary_posts_pass(text):
    assert cs.check(text) == [], text


def test_the_table_has_at_least_forty_examples():
    assert len(HELD) + len(PASSED) >= 40
    assert len({kind for _, kind in HELD}) == len(cs.EXPLANATIONS)


def test_findings_carry_positions_but_never_the_text():
    text = "Anak saya Budi, NISN 0123456789."
    findings = cs.check(text)
    assert [f.kind for f in findings] == [cs.CHILD_NAME, cs.STUDENT_NUMBER]
    assert text[findings[0].start : findings[0].end].endswith("Budi")
    assert not any(hasattr(f, "text") for f in findings)


def test_reasons_look_at_every_text_and_name_each_kind_once():
    assert cs.reasons("Anak saya Budi", "Murid saya Rina", "ok") == [cs.CHILD_NAME]
    assert cs.reasons("kelas 5B", "SDN 1") == []  # class and school must be in one text
    assert cs.reasons("") == [] and cs.reasons(None) == []


def test_explanations_are_plain_words():
    texts = cs.explain([cs.PHONE, "unknown", cs.CHILD_NAME])
    assert len(texts) == 2 and all(isinstance(t, str) and t for t in texts)


def test_no_catastrophic_backtracking_on_long_input():
    import time

    text = ("anak saya " * 2000) + ("1 " * 5000) + ("kelas " * 2000) + "a@" * 2000
    started = time.perf_counter()
    cs.check(text)
    assert time.perf_counter() - started < 2
