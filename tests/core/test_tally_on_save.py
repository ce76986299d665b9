"""`TallyOnSave.tally_fields` (peksos/core/tallies.py): a save with `update_fields` that no
figure reads counts nothing again; one that writes a counted field, or a save of every field,
does. Each test first makes the stored contribution stale behind the tallies' back
(`QuerySet.update`), so that counting again would append rows and skipping leaves none."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from peksos.core.models import Tally
from peksos.core.tallies import TallyOnSave
from schools.models import PriorityBand, School
from sosdesk.models import Case
from tests.factories import make_case, make_visit
from visits.models import Visit


def _other_band(school: School) -> str:
    return PriorityBand.HIGH if school.priority_band != PriorityBand.HIGH else PriorityBand.LOW


def test_a_school_placed_on_the_map_is_not_counted_again(school_a):
    School.objects.filter(pk=school_a.pk).update(priority_band=_other_band(school_a))
    school = School.objects.get(pk=school_a.pk)
    rows = Tally.objects.count()
    school.latitude, school.longitude = Decimal("-5.1"), Decimal("105.3")
    school.save(update_fields=["latitude", "longitude", "updated_at"])  # as schools/placing.py
    assert Tally.objects.count() == rows
    school.save(update_fields=["kecamatan_id"])  # a counted field, by its column's name
    assert Tally.objects.count() > rows


def test_a_visit_locked_is_not_counted_again_a_visit_done_is(school_a):
    visit = make_visit(school_a, date(2026, 10, 20), Visit.State.AGREED)
    Visit.objects.filter(pk=visit.pk).update(state=Visit.State.DONE)
    visit = Visit.objects.get(pk=visit.pk)
    rows = Tally.objects.count()
    visit.locked = True
    visit.save(update_fields=["locked", "updated_at"])
    assert Tally.objects.count() == rows
    visit.save(update_fields=["state", "updated_at"])
    assert Tally.objects.count() > rows


def test_a_case_restricted_is_not_counted_again_a_save_of_every_field_is(school_a):
    at = datetime(2026, 2, 10, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    case = make_case(school_a, ["fisik"], at)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    case = Case.objects.get(pk=case.pk)
    rows = Tally.objects.count()
    case.restricted = True
    case.save(update_fields=["restricted", "updated_at"])  # as sosdesk/protection/services.py
    assert Tally.objects.count() == rows
    case.save()
    assert Tally.objects.count() > rows


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if issubclass(m, TallyOnSave)],
    ids=lambda m: m._meta.label,
)
def test_tally_fields_name_real_fields(model):
    """A misspelt name would make every save of the real field skip its count."""
    assert model.tally_fields is not None, "every counted model says what its figures read"
    for name in model.tally_fields:
        field = model._meta.get_field(name)
        assert field.concrete and field.name == name
