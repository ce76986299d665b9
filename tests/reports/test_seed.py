from io import StringIO

import pytest
from django.core.management import call_command

from activities.models import Activity
from peksos.accounts.models import Role, User
from schools.models import Kecamatan, Kelurahan, School, SchoolMembership
from visits.models import Visit


@pytest.mark.django_db
def test_seed_loads_the_real_register_and_one_demo_user_per_role():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Kecamatan.objects.count() == 5
    assert Kelurahan.objects.count() == 22
    assert School.objects.count() == 308
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    school = School.objects.get(npsn="10807637")
    assert school.name == "UPTD SD NEGERI 1 METRO PUSAT"
    assert school.kecamatan.name == "Metro Pusat"
    assert school.students is None  # unknown, not zero
    assert School.objects.filter(latitude__isnull=False).count() == 118
    assert School.objects.filter(kelurahan__isnull=True).count() == 2
    # the passwords are printed once
    assert "koordinator_ani" in out.getvalue()


@pytest.mark.django_db
def test_seed_runs_twice_without_duplicates_or_new_passwords():
    call_command("seed_demo", stdout=StringIO())
    hashes = dict(User.objects.values_list("username", "password"))
    memberships = SchoolMembership.objects.count()
    School.objects.filter(npsn="10807637").update(latitude="-5.1000000", longitude="105.3000000")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert School.objects.count() == 308
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert SchoolMembership.objects.count() == memberships
    assert "0 baru, 0 diperbarui" in out.getvalue()
    # staff-corrected coordinates survive a re-seed
    assert str(School.objects.get(npsn="10807637").latitude) == "-5.1000000"


@pytest.mark.django_db
def test_seed_gives_every_school_a_desk_and_the_demo_school_a_working_team():
    from sosdesk.models import Desk

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert Desk.objects.count() == 308
    demo = School.objects.get(npsn="10807637")
    assert demo.has_sos_desk is True
    assert demo.sos_desk.members.count() == 5
    assert School.objects.filter(priority_score__isnull=True).count() == 0


@pytest.mark.django_db
def test_seed_visits_follow_the_rules_of_their_activities():
    """An activity already held belongs to a visit that is done, never one only agreed."""
    call_command("seed_demo", stdout=StringIO())
    held = Activity.objects.filter(state=Activity.State.HELD).select_related("visit")
    assert held.exists()
    assert {a.visit.state for a in held} == {Visit.State.DONE}
    for activity in held:
        assert activity.school.last_visit_on is not None
    agreed = Activity.objects.filter(visit__state=Visit.State.AGREED)
    assert agreed.exists() and not agreed.filter(state=Activity.State.HELD).exists()
