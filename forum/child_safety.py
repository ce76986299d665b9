"""Does a forum post identify a child? Pure functions, no database (UU SPPA Pasal 19).

UU 11/2012 (SPPA) Pasal 19 and UU 35/2014 forbid publishing anything that identifies a child
victim, witness or offender. In a city of 22 kelurahan, "school + class + incident" is enough.
Before a post is published, `check(text)` looks for:

- a name next to a word for a child: "anak saya Budi", "murid saya, Rina,", "si Dimas",
  "anak saya yang bernama dimas" (an explicit "bernama"/"namanya" catches lower-case names);
- numbers shaped like a NISN (10 digits) or a NIK/KK number (16 digits);
- Indonesian phone numbers (08…, +62 8…, 62 8…, (0725) 41234);
- a class together with a school: "kelas 5B SDN 1", "kelas V SD Negeri 2 Metro";
- a home address (Jl. Melati No. 12, RT 03/RW 05), a date of birth, e-mail addresses.

It errs on the side of holding: a false alarm costs a moderator a minute, a missed one can
expose a child. It never decides alone: a held post waits for a moderator. Findings carry only
a kind and a position, never the matched text, so nothing identifying is copied elsewhere.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CHILD_NAME = "child_name"
STUDENT_NUMBER = "student_number"  # NISN-like
ID_NUMBER = "id_number"  # NIK/KK-like
PHONE = "phone"
CLASS_AND_SCHOOL = "class_and_school"
ADDRESS = "address"
BIRTH_DATE = "birth_date"
EMAIL = "email"

# What the author is told (plain words), by kind. Shown on their held post.
EXPLANATIONS = {
    CHILD_NAME: _("It seems to name a child (a name next to “my child”, “pupil”, “student”)."),
    STUDENT_NUMBER: _("It contains a number that looks like a pupil number (NISN)."),
    ID_NUMBER: _("It contains a number that looks like an identity number (NIK or KK)."),
    PHONE: _("It contains a phone number."),
    CLASS_AND_SCHOOL: _("It names a class together with a school (for example “kelas 5B SDN 1”)."),
    ADDRESS: _("It contains a home address."),
    BIRTH_DATE: _("It contains a date of birth."),
    EMAIL: _("It contains an e-mail address."),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


# --- Names next to a word for a child -----------------------------------------------------

# Words for a child the author speaks about, with what may follow them before a name
# ("anak saya yang sulung", "murid kelas 5"). "si" is the colloquial article before a name.
_CHILD_WORD = (
    r"(?i:(?:anak|putra|putri|putera|puteri|cucu|keponakan|adik|murid|siswa|siswi|"
    r"peserta\s+didik|ananda)\b"
    r"(?:\s+(?:saya|kami|kita|ibu|bapak|bu|pak|kelas\s+(?:\d+\w?|[IVX]+)|laki-laki|perempuan|"
    r"(?:yang\s+)?(?:bungsu|sulung|pertama|kedua|ketiga))\b)*"
    r"|(?:anakku|putraku|putriku|muridku|cucuku|adikku|si)\b)"
)
# Between the child word and the name: "yang bernama", "namanya", "inisial", "dipanggil".
_NAMING = (
    r"(?i:(?:yang\s+)?(?:bernama|namanya|nama(?:nya)?(?:\s+adalah)?|inisial(?:nya)?|"
    r"panggilannya|dipanggil)\b)"
)
# A name: a word (hyphenated names too), or up to three capitals (initials).
_NAME = r"(?P<name>[A-Za-z][a-z'’]+(?:-[A-Za-z][a-z]+)?|[A-Z]{1,3}\b\.?)"

_CHILD_THEN_NAME = re.compile(
    rf"\b{_CHILD_WORD}(?:\s*[,:(]\s*|\s+)(?:(?P<naming>{_NAMING})\s*[,:]?\s*)?{_NAME}"
)

# A name is a capitalised word right after a child word; these capitalised words are not.
_NOT_NAMES = frozenset(
    """
    dia ia saya kami kita mereka yang dan di ke dari itu ini ada sudah belum tidak tak sering
    selalu kadang sekarang baru masih sangat juga pun jadi karena sejak waktu saat ketika
    setiap semua kalau jika apakah bagaimana kenapa mengapa apa bisa mau harus sedang akan bu
    ibu pak bapak guru kepala wali orang tua sekolah kelas kls sd smp sma smk tk paud mi mts
    senin selasa rabu kamis jumat sabtu minggu januari februari maret april mei juni juli
    agustus september oktober november desember allah tuhan indonesia metro lampung laki
    perempuan cowok cewek kakak adik anak murid siswa siswi teman temannya kecil tolong mohon
    terima kasih halo hai assalamualaikum pagi siang sore malam umur usia
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def _child_names(text: str) -> list[Finding]:
    found = []
    for match in _CHILD_THEN_NAME.finditer(text):
        name = match.group("name")
        if name.split("-")[0].lower().rstrip(".") in _NOT_NAMES:
            continue
        explicit = match.group("naming") is not None
        # Without "bernama"/"namanya", only a capitalised word counts as a name: "anak saya
        # suka bermain" is not one, "anak saya Budi" is. "si" needs a capital too.
        if not explicit and not name[0].isupper():
            continue
        # Initials ("A", "RZ.") count only when named explicitly ("inisial R").
        if not explicit and name.rstrip(".").isupper() and len(name.rstrip(".")) <= 3:
            continue
        found.append(Finding(CHILD_NAME, match.start(), match.end()))
    return found


# --- Numbers: phones, NISN, NIK ------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+])(?:\+62|62|0)[\s.-]?8\d{1,2}(?:[\s.-]?\d){6,10}(?!\d)"  # mobile
    r"|(?<!\w)\(0\d{2,3}\)\s?\d{5,8}(?!\d)"  # landline with area code in brackets
    r"|(?<![\w+])(?:\+62[\s.-]?|0)7\d{2}[\s.-]\d{5,8}(?!\d)"  # Sumatra landline, 0725-41234
)
# Digit runs with at most single spaces, dots or dashes between groups of 2+ digits.
_DIGIT_RUN = re.compile(r"(?<![\d\w])\d{2,}(?:[\s.-]\d{2,})*(?![\d\w])")


def _numbers(text: str) -> list[Finding]:
    found = [Finding(PHONE, m.start(), m.end()) for m in _PHONE.finditer(text)]
    taken = [(f.start, f.end) for f in found]
    for match in _DIGIT_RUN.finditer(text):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        if re.search(r"(?i:rp)\.?\s*$", text[max(0, match.start() - 4) : match.start()]):
            continue  # an amount of money
        digits = re.sub(r"\D", "", match.group())
        if len(digits) == 10:
            found.append(Finding(STUDENT_NUMBER, match.start(), match.end()))
        elif len(digits) == 16:
            found.append(Finding(ID_NUMBER, match.start(), match.end()))
    return found


# --- A class together with a school -------------------------------------------------------

_ROMAN = r"(?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
_CLASS = re.compile(
    rf"\b(?:kelas|kls)\.?\s*(?:(?:[1-9]|1[0-2])|{_ROMAN}\b)\s*[-./]?\s*[A-Ha-h]?\b", re.IGNORECASE
)
_SCHOOL = re.compile(
    r"\b(?:"
    # SDN 1, SD N 2, SD Negeri 3, SMPN 4, SMP Negeri 10 Metro, MTsN 1, SLB 2, TK 1
    r"(?i:sdn|sd|smpn|smp|sman|sma|smkn|smk|mtsn|mts|slb|tk|paud)\s*(?i:n\b|negeri\b)?\s*\d{1,3}\b"
    # SD IT Fitrah, SMP Muhammadiyah 1, SD Kristen Metro, SD Xaverius
    r"|(?i:sd|smp|sma|smk|mts|tk)\s+(?:(?i:it|islam|kristen|katolik|muhammadiyah|swasta)\b"
    r"|(?!Kelas\b|Kls\b)[A-Z][a-z]{3,})"
    # MI, MIN, MA, MAN: upper case only ("mi ayam" is food)
    r"|(?:MIN|MAN|MI|MA)\s*\d{1,3}\b"
    r")"
)


def _class_and_school(text: str) -> list[Finding]:
    classes = list(_CLASS.finditer(text))
    schools = list(_SCHOOL.finditer(text))
    if not classes or not schools:
        return []
    return [Finding(CLASS_AND_SCHOOL, m.start(), m.end()) for m in classes + schools]


# --- Addresses and e-mail -----------------------------------------------------------------

_ADDRESS = re.compile(
    r"\b(?:jl|jln|jalan)\.?\s+[A-Za-z][\w .'-]{1,40}?\s+(?:no|nomor|nomer)\.?\s*\d+"
    r"|\bRT\.?\s*\d{1,3}\s*/\s*RW\.?\s*\d{1,3}\b"
    r"|\bRT\.?\s*\d{1,3}\s+RW\.?\s*\d{1,3}\b",
    re.IGNORECASE,
)
_MONTHS = r"(?:jan|feb|mar|apr|mei|jun|jul|agu|agt|sep|okt|nov|des)[a-z]*"
_BIRTH_DATE = re.compile(
    rf"\b(?:lahir|tgl\.?\s*lahir|tanggal\s+lahir|ttl)\b\s*(?:pada\s+)?(?:tanggal\s+)?[:,]?\s*"
    rf"(?:[A-Za-z]+\s*,\s*)?\d{{1,2}}[\s/.-]+(?:\d{{1,2}}|{_MONTHS})[\s/.-]+\d{{2,4}}\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def check(text: str) -> list[Finding]:
    """Everything in `text` that may identify a child, in order of position."""
    text = text or ""
    found = _child_names(text) + _numbers(text) + _class_and_school(text)
    found += [Finding(ADDRESS, m.start(), m.end()) for m in _ADDRESS.finditer(text)]
    found += [Finding(BIRTH_DATE, m.start(), m.end()) for m in _BIRTH_DATE.finditer(text)]
    found += [Finding(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text)]
    return sorted(found, key=lambda f: (f.start, f.kind))


def reasons(*texts: str) -> list[str]:
    """The kinds found in any of `texts`, each once, in a stable order."""
    kinds = {f.kind for text in texts for f in check(text)}
    return [kind for kind in EXPLANATIONS if kind in kinds]


def explain(kinds: list[str]) -> list[str]:
    """The plain-words explanations of `kinds` (unknown kinds are skipped)."""
    return [str(EXPLANATIONS[kind]) for kind in kinds if kind in EXPLANATIONS]
