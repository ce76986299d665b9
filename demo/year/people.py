"""Staff for the five kecamatan (with capacities and one leave), principals and SOS Desk
officers for some schools, and their desks' TPPK: most complete, some incomplete or with an
expired SK so the warnings show."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password

from peksos.accounts.models import Role, User
from schools.models import Kecamatan, School, SchoolMembership
from sosdesk.models import Desk, DeskMember
from sosdesk.services import desks_refresh_working
from visits.models import StaffCapacity, StaffLeave

from .names import person

SCHOOLS_WITH_TEAMS = 24  # principals, officers and a TPPK at this many schools


def _user(year, username: str, role: str) -> User:
    first, last = person(year.rng)
    return User(
        username=username,
        first_name=first,
        last_name=last,
        role=role,
        email=f"{username}@demo.peksos.invalid",
        password=make_password(None),  # demo staff: shown, never logged in as
    )


def make(year) -> None:
    users, members = [], []
    for kec in Kecamatan.objects.order_by("code"):
        slug = kec.name.lower().replace("metro ", "")
        team = {
            "peksos": [_user(year, f"peksos_{slug}_{n}", Role.PEKSOS) for n in (1, 2)],
            "psikolog": [_user(year, f"psikolog_{slug}", Role.PSIKOLOG)],
            "pendamping": [_user(year, f"pendamping_{slug}", Role.PENDAMPING)],
        }
        year.staff[kec.pk] = team
        users += [u for group in team.values() for u in group]
    User.objects.bulk_create(users)
    saved = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    for team in year.staff.values():
        for role, group in team.items():
            team[role] = [saved[u.username] for u in group]
    # PEKSOS serve the schools of their kecamatan, split between the two.
    for kec_id, team in year.staff.items():
        schools = list(School.objects.filter(kecamatan_id=kec_id).order_by("npsn"))
        for i, school in enumerate(schools):
            members.append(SchoolMembership(user=team["peksos"][i % 2], school=school))
    StaffCapacity.objects.bulk_create(
        StaffCapacity(
            user=u,
            per_day=1 if u.role == Role.PSIKOLOG else 2,
            per_week=3 if u.role == Role.PSIKOLOG else 6,
            weekdays_off=[4] if u.role == Role.PENDAMPING else [],
        )
        for u in saved.values()
    )
    on_leave = saved[sorted(saved)[0]]
    StaffLeave.objects.create(
        user=on_leave,
        starts_on=year.today + timedelta(days=12),
        ends_on=year.today + timedelta(days=16),
        reason="Cuti tahunan",
    )
    _school_teams(year, members)
    SchoolMembership.objects.bulk_create(members, ignore_conflicts=True)
    desks_refresh_working(year.today)
    year.counts["petugas Dinsos"] = len(users)


def _school_teams(year, members: list) -> None:
    """A principal and an SOS Desk officer at some schools of every kecamatan, with a TPPK."""
    candidates = list(
        School.objects.filter(level__in=["SD", "MI", "SMP", "MTs"], sos_desk__members__isnull=True)
        .order_by("npsn")
        .values_list("pk", "npsn", "kecamatan_id")
    )
    chosen = sorted(year.rng.sample(candidates, SCHOOLS_WITH_TEAMS))
    users = []
    for _pk, npsn, _kec in chosen:
        users.append(_user(year, f"kepsek_{npsn}", Role.KEPALA_SEKOLAH))
        users.append(_user(year, f"sosdesk_{npsn}", Role.SOSDESK))
    User.objects.bulk_create(users)
    saved = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    desks = {d.school_id: d for d in Desk.objects.filter(school_id__in=[c[0] for c in chosen])}
    desk_members = []
    for n, (pk, npsn, _kec) in enumerate(chosen):
        principal, officer = saved[f"kepsek_{npsn}"], saved[f"sosdesk_{npsn}"]
        year.principals[pk], year.officers[pk] = principal, officer
        members += [SchoolMembership(user=principal, school_id=pk)]
        members += [SchoolMembership(user=officer, school_id=pk)]
        desk = desks[pk]
        size = 2 if n % 6 == 1 else 5  # every sixth desk incomplete
        desk_members.append(
            DeskMember(
                desk=desk,
                name=principal.get_full_name(),
                position=DeskMember.Position.TEACHER,
                is_principal=True,
                user=principal,
            )
        )
        desk_members.append(
            DeskMember(
                desk=desk,
                name=officer.get_full_name(),
                position=DeskMember.Position.TEACHER,
                is_chair=True,
                user=officer,
            )
        )
        positions = [DeskMember.Position.STAFF, DeskMember.Position.COMMITTEE] * 2
        for position in positions[: size - 2]:
            desk_members.append(
                DeskMember(desk=desk, name=" ".join(person(year.rng)), position=position)
            )
        expired = n % 6 == 3  # every sixth SK ran out
        start = year.today - timedelta(days=900 if expired else 120)
        desk.sk_number = f"421.2/{100 + n:03d}/TPPK/{start.year}"
        desk.term_start = start
        desk.term_end = start + timedelta(days=730)
    DeskMember.objects.bulk_create(desk_members)
    Desk.objects.bulk_update(desks.values(), ["sk_number", "term_start", "term_end"])
    year.counts["sekolah dengan TPPK"] = len(chosen)
