"""S6 bad input: property-based fuzzing of every form and every list/filter parameter.

Every form class of the project is found by importing the project's modules, so a new form is
fuzzed without anyone remembering to add it. A form whose constructor needs more than `data`
(a user, a school, a queryset) needs an entry in FORM_KWARGS: the test fails until it has one.
Each form gets hostile text in every field (the XSS corpus of shared/testdata, very long
strings, unicode, right-to-left marks, NUL bytes, emoji, huge and negative numbers) and, where
hypothesis can build one, typed data from `from_form`; `is_valid()` must answer, never raise.

The client-level fuzz sends the same hostile values as the query parameters of every list and
filter page, as a persona allowed to see it: never a 500.
"""

import importlib
import inspect
import pkgutil
from functools import cache
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, ResolutionFailed
from hypothesis.extra.django import from_form

from forum.models import Category
from monitoring.models import Goal
from peksos.notifications.models import Delivery, Kind
from schools.models import School
from tests.factories import make_case

# from shared/testdata
XSS_CORPUS = Path(__file__).resolve().parents[1] / "data" / "xss-payloads.txt"
PROJECT_APPS = (
    "peksos",
    "schools",
    "visits",
    "activities",
    "sosdesk",
    "forum",
    "monitoring",
    "reports",
    "home",
)


@cache
def xss_payloads() -> tuple[str, ...]:
    lines = XSS_CORPUS.read_text(encoding="utf-8", errors="replace").splitlines()
    return tuple(line for line in lines if line.strip())


# Values chosen to break parsers, length checks, encodings and SQL: every field gets these.
NASTY_FIXED = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "-0",
    "1e308",
    "9" * 400,
    "-" + "9" * 40,
    "NaN",
    "inf",
    "0x10",
    "١٢٣",  # Arabic-Indic digits
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "\ud7ff\ufffd\uffff",
    "A" * 100_000,
    "' OR 1=1 --",
    "%00%27%22",
    "../../etc/passwd",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "-2026-01-01",
    "00000000-0000-0000-0000-000000000000",
    "true",
    "on",
    "[]",
    "{}",
]


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_FIXED),
        st.sampled_from(xss_payloads()),
        st.text(max_size=300),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


# --- Finding the forms ------------------------------------------------------------------------


def _import_project_modules() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith(PROJECT_APPS):
            continue
        module = config.module
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{config.name}."):
            if any(part in info.name for part in (".migrations", ".management", ".tests")):
                continue
            importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@cache
def project_forms() -> tuple[type[forms.BaseForm], ...]:
    _import_project_modules()
    found = {
        f"{c.__module__}.{c.__qualname__}": c
        for c in _subclasses(forms.BaseForm)
        if c.__module__.startswith(PROJECT_APPS) and not c.__name__.startswith("_")
    }
    return tuple(found[k] for k in sorted(found))


def form_id(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# Forms whose constructor needs more than the data: how to build their arguments. `ctx` has the
# personas and objects of the test. A form not listed here is built with `data` (and `files`)
# only; when its constructor demands more, test_every_form_can_be_built says so.
FORM_KWARGS = {
    # Django's login form authenticates, and django-axes needs the request for that.
    "peksos.accounts.forms.LoginForm": lambda ctx: {"request": RequestFactory().post("/")},
    "forum.forms.QuestionForm": lambda ctx: {"user": ctx["ortu"]},
    "peksos.notifications.forms.PreferencesForm": lambda ctx: {
        "current": dict.fromkeys(Kind.values, Delivery.EMAIL)
    },
    "forum.forms.QuestionFilterForm": lambda ctx: {"categories": list(Category.objects.all())},
    "monitoring.forms.RecordOpenForm": lambda ctx: {
        "schools": School.objects.filter(pk=ctx["school"].pk)
    },
    "visits.forms.VisitCreateForm": lambda ctx: {
        "schools": School.objects.filter(pk=ctx["school"].pk)
    },
    "monitoring.forms.GoalScoreForm": lambda ctx: {"goals": Goal.objects.all()},
    "sosdesk.forms.DeskMemberForm": lambda ctx: {"school": ctx["school"]},
    "sosdesk.protection.forms.RestrictForm": lambda ctx: {
        "case": case_of(ctx),
        "by": ctx["peksos"],
    },
    "sosdesk.protection.forms.HandlerForm": lambda ctx: {"case": case_of(ctx)},
    "sosdesk.protection.forms.RecusalForm": lambda ctx: {
        "case": case_of(ctx),
        "by": ctx["koordinator"],
        "koordinator": True,
    },
    "reports.forms.ReportRequestForm": lambda ctx: {"user": ctx["koordinator"]},
    "monitoring.forms.ObservationRequestForm": lambda ctx: {"record": child_record(ctx)},
    "monitoring.forms.GuardianLinkForm": lambda ctx: {"record": child_record(ctx)},
    "activities.forms.ActivityForm": lambda ctx: {"visit": activity(ctx).visit},
    "activities.forms.RecordForm": lambda ctx: {"activity": activity(ctx)},
    "activities.participant_forms.PublicTestForm": lambda ctx: {"questions": questions(ctx)},
    "activities.participant_forms.PaperEntryForm": lambda ctx: {"questions": questions(ctx)},
}


def activity(ctx):
    if "activity" not in ctx:
        from tests.factories import make_activity

        ctx["activity"] = make_activity(ctx["school"])
    return ctx["activity"]


def questions(ctx):
    if "questions" not in ctx:
        from tests.factories import make_question_set

        ctx["questions"] = list(make_question_set().questions.order_by("position"))
    return ctx["questions"]


def child_record(ctx):
    if "record" not in ctx:
        from monitoring import services

        ctx["record"] = services.record_open(
            school=ctx["school"],
            class_level="5",
            sex="L",
            birth_year=2015,
            name="Anak Uji",
            guardian_contact="0812",
            by=ctx["peksos"],
        )
    return ctx["record"]


def required_extra_arguments(cls) -> list[str]:
    params = inspect.signature(cls.__init__).parameters.values()
    return [
        p.name
        for p in params
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
    ]


@pytest.fixture
def ctx(koordinator_ani, peksos_budi, ortu_fajar, school_a):
    return {
        "koordinator": koordinator_ani,
        "peksos": peksos_budi,
        "ortu": ortu_fajar,
        "school": school_a,
    }


def case_of(ctx):
    """One case of the context's school, made on first use (the case protection forms)."""
    if "case" not in ctx:
        ctx["case"] = make_case(ctx["school"], ["fisik"], timezone.now())
    return ctx["case"]


def build(cls, ctx, data=None, files=None):
    kwargs = FORM_KWARGS.get(form_id(cls), lambda ctx: {})(ctx)
    return cls(data=data, files=files, **kwargs)


def test_the_forms_are_found():
    names = {form_id(c) for c in project_forms()}
    # A few from each app, so a broken discovery cannot pass quietly with nothing to fuzz.
    for expected in (
        "peksos.accounts.forms.LoginForm",
        "schools.filters.SchoolFilterForm",
        "visits.forms.PlanForm",
        "sosdesk.report_forms.PublicReportForm",
        "forum.forms.RegistrationForm",
        "monitoring.forms.RecordOpenForm",
        "reports.forms.ReportRequestForm",
    ):
        assert expected in names
    assert len(names) >= 50


@pytest.mark.parametrize("cls", project_forms(), ids=form_id)
def test_every_form_can_be_built(cls, ctx):
    missing = required_extra_arguments(cls)
    if missing and form_id(cls) not in FORM_KWARGS:
        pytest.fail(f"{form_id(cls)} needs {missing}: add an entry to FORM_KWARGS")
    assert build(cls, ctx) is not None  # unbound form: must render its fields


def hostile_data(form: forms.BaseForm):
    """A strategy for (data, files) filling every field of `form` with hostile values, as a
    browser would send them (lists of values, MultiWidget sub-names, file uploads)."""
    names = []
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        names.append(key)
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):
            names += [f"{key}_{i}" for i in range(len(widget.widgets))]
            names += [f"{key}{suffix}" for suffix in widget.widgets_names]
    file_fields = [
        form.add_prefix(n) for n, f in form.fields.items() if isinstance(f, forms.FileField)
    ]
    values = st.lists(hostile_text(), min_size=1, max_size=3)
    data = st.fixed_dictionaries({}, optional=dict.fromkeys(names, values)).map(MultiValueDict)
    upload = st.builds(
        lambda name, body: SimpleUploadedFile(name, body),
        st.one_of(st.sampled_from(["a.csv", "b.xlsx", "c.pdf", "x.jpg"]), hostile_text()).map(
            lambda s: (s.replace("\x00", "") or "f")[:200]
        ),
        st.binary(max_size=2000),
    )
    files = st.fixed_dictionaries({}, optional=dict.fromkeys(file_fields, upload)).map(
        lambda d: MultiValueDict({k: [v] for k, v in d.items()})
    )
    return st.tuples(data, files)


FUZZ = hsettings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@pytest.mark.parametrize("cls", project_forms(), ids=form_id)
@FUZZ
@given(data=st.data())
def test_hostile_input_never_raises(cls, ctx, data):
    if required_extra_arguments(cls) and form_id(cls) not in FORM_KWARGS:
        pytest.skip("test_every_form_can_be_built fails for it")
    post, files = data.draw(hostile_data(build(cls, ctx)))
    form = build(cls, ctx, data=post, files=files)
    form.is_valid()  # must answer (True or False with errors), never raise
    if not form.is_valid():
        assert form.errors


@pytest.mark.parametrize("cls", project_forms(), ids=form_id)
@FUZZ
@given(data=st.data())
def test_typed_input_from_form_never_raises(cls, ctx, data):
    """hypothesis' own strategy per field type (dates, numbers, choices, e-mail...)."""
    kwargs = FORM_KWARGS.get(form_id(cls), lambda ctx: {})(ctx)
    try:
        strategy = from_form(cls, form_kwargs=kwargs)
        form = data.draw(strategy)
    except (InvalidArgument, ResolutionFailed, TypeError) as error:
        # A field type hypothesis cannot resolve (a custom field): the hostile-text test above
        # still covers the form.
        pytest.skip(f"from_form cannot build {form_id(cls)}: {error}")
    form.is_valid()


# --- Client level: list and filter pages --------------------------------------------------------

# Every query parameter a list or filter view reads (peksos/core/pagination.py and the views).
QUERY_PARAMETERS = [
    "q",
    "setelah",
    "sebelum",
    "page",
    "tahun",
    "bulan",
    "minggu",
    "kecamatan",
    "jenjang",
    "kelurahan",
    "level",
    "status",
    "state",
    "keadaan",
    "kategori",
    "tampil",
    "urut",
    "sort",
    "prioritas",
    "kasus",
    "jenis",
    "sekolah",
    "petugas",
    "staff",
    "dari",
    "sampai",
    "atur",
    "next",
    "band",
    "desk",
    "keluar",
    "overdue",
    "urgency",
    "visited",
    "fasilitator",
    "kind",
]

# (URL name, persona allowed to see it).
LIST_VIEWS = [
    ("schools:school-list", "koordinator"),
    ("schools:school-export", "koordinator"),
    ("schools:school-map", "koordinator"),
    ("schools:school-map-data", "koordinator"),
    ("schools:calendar-city", "koordinator"),
    ("schools:school-calendar", "koordinator"),
    ("visits:visit-list", "koordinator"),
    ("visits:visit-month", "koordinator"),
    ("visits:visit-week", "koordinator"),
    ("visits:visit-agreement", "kepsek"),
    ("visits:compliance-board", "koordinator"),
    ("visits:capacity-list", "koordinator"),
    ("sosdesk:case-list", "koordinator"),
    ("sosdesk:case-overdue", "koordinator"),
    ("sosdesk:case-figures", "koordinator"),
    ("lapor:start", None),
    ("monitoring:record-list", "peksos"),
    ("forum:question-list", "ortu"),
    ("forum:moderation-queue", "koordinator"),
    ("forum:invitecode-index", "koordinator"),
    ("reports:report-list", "koordinator"),
    ("reports:report-create", "koordinator"),
]


def list_url(name: str, school) -> str:
    if name == "schools:school-export":
        return reverse(name, args=["csv"])
    if name == "schools:school-calendar":
        return reverse(name, args=[school.npsn])
    return reverse(name)


def query_filter_fields() -> set[str]:
    """The fields of every *FilterForm / search form: all are query parameters."""
    return {
        name
        for cls in project_forms()
        if "Filter" in cls.__name__ or "Search" in cls.__name__
        for name in cls.base_fields
    }


def test_every_filter_form_field_is_fuzzed():
    missing = query_filter_fields() - set(QUERY_PARAMETERS)
    assert not missing, f"add these query parameters to QUERY_PARAMETERS: {sorted(missing)}"


@pytest.fixture
def personas(koordinator_ani, peksos_budi, kepsek_indah, ortu_fajar):
    return {
        "koordinator": koordinator_ani,
        "peksos": peksos_budi,
        "kepsek": kepsek_indah,
        "ortu": ortu_fajar,
    }


def test_every_list_view_answers_plainly(client, login, personas, school_a):
    """The happy path first: each page of LIST_VIEWS answers 200 for its persona, so the fuzz
    below exercises the real page and not a redirect or a refusal."""
    for name, persona in LIST_VIEWS:
        if persona:
            login(personas[persona])
        else:
            client.logout()
        response = client.get(list_url(name, school_a))
        assert response.status_code == 200, name


@pytest.mark.parametrize(("name", "persona"), LIST_VIEWS, ids=[n for n, _ in LIST_VIEWS])
@hsettings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.dictionaries(
        st.sampled_from(QUERY_PARAMETERS),
        st.lists(
            st.one_of(
                st.sampled_from([*NASTY_FIXED[:-13], "A" * 5000]),
                st.sampled_from(xss_payloads()),
                st.text(max_size=80),
            ),
            min_size=1,
            max_size=2,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_hostile_query_parameters_never_500(
    client, login, personas, school_a, name, persona, params
):
    if persona:
        login(personas[persona])
    client.raise_request_exception = False
    response = client.get(list_url(name, school_a), params)
    assert response.status_code < 500, (name, params)
