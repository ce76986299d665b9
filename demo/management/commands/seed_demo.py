"""`make run`'s seed: the real Kota Metro register, one demo user per role, and an SOS Desk
for every school (so the public report form works for any school). With `--year` (and
PEKSOS_DEMO=1) a whole demo year follows: demo/year/.

It lives on the top floor because it writes to every app. Safe to run again: schools are
matched by NPSN, users by username, desks by school; a demo user that already exists keeps
its password (it was printed once, when it was made).
"""

import secrets
from datetime import date, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from activities.models import Activity, AttendanceCount
from demo.year import seed_year
from peksos.accounts.models import Role, User
from peksos.core import tallies
from peksos.core.models import OutboxMessage
from schools import priority, tallies_check
from schools.models import School, SchoolMembership
from schools.seed import load_kota_metro
from sosdesk.models import Desk, DeskMember
from sosdesk.services import desk_update
from visits import services as visit_services
from visits.models import Visit, VisitMember

DEMO_SCHOOL_NPSN = "10807637"  # UPTD SD NEGERI 1 METRO PUSAT
DEMO_USERS = [
    ("koordinator_ani", "Ani", "Lestari", Role.KOORDINATOR),
    ("peksos_budi", "Budi", "Santoso", Role.PEKSOS),
    ("psikolog_gita", "Gita", "Permata", Role.PSIKOLOG),
    ("pendamping_hadi", "Hadi", "Saputra", Role.PENDAMPING),
    ("sosdesk_citra", "Citra", "Wulandari", Role.SOSDESK),
    ("kepsek_indah", "Indah", "Purnamasari", Role.KEPALA_SEKOLAH),
    ("guru_eka", "Eka", "Pratama", Role.GURU),
    ("ortu_fajar", "Fajar", "Nugroho", Role.ORANG_TUA),
]
# Roles that serve the demo school (the Koordinator serves all schools by role).
SCHOOL_BOUND = {Role.PEKSOS, Role.SOSDESK, Role.KEPALA_SEKOLAH, Role.GURU, Role.ORANG_TUA}


class Command(BaseCommand):
    help = "Load Kota Metro's regions and schools and create demo users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="load the register only")
        parser.add_argument(
            "--year",
            action="store_true",
            help="then a whole demo year (needs PEKSOS_DEMO=1; demo/year/)",
        )

    def handle(self, *args, no_users: bool, year: bool, **options):
        if year and not settings.DEMO:
            raise CommandError(
                "seed_demo --year writes made-up cases and children: "
                "it runs only with PEKSOS_DEMO=1."
            )
        result = load_kota_metro()
        priority.recompute()
        self.stdout.write(
            f"Kota Metro: {result.kecamatan} kecamatan, {result.kelurahan} kelurahan, "
            f"{School.objects.count()} sekolah ({result.schools_created} baru, "
            f"{result.schools_updated} diperbarui)."
        )
        if not no_users:
            self._demo_users()
            self._desks()
            self._activities()
        if year:
            seed_year(self.stdout.write)
        # The register-wide figures from the rows, whatever wrote them before (a database
        # from before the tallies, a hand edit): what the nightly check does.
        for line in tallies_check.check().lines():
            self.stdout.write(f"Angka seluruh register diperbaiki: {line}")

    def _desks(self) -> None:
        """A desk (with its public code) for every school; the demo school's TPPK in full."""
        have = set(Desk.objects.values_list("school_id", flat=True))
        Desk.objects.bulk_create(
            Desk(school=school) for school in School.objects.exclude(pk__in=have)
        )
        desk = Desk.objects.select_related("school").get(school__npsn=DEMO_SCHOOL_NPSN)
        if not desk.members.exists():
            officer = User.objects.get(username="sosdesk_citra")
            DeskMember.objects.bulk_create(
                [
                    DeskMember(
                        desk=desk,
                        name="Citra Wulandari",
                        position="guru",
                        is_chair=True,
                        user=officer,
                    ),
                    DeskMember(desk=desk, name="Rahmat Hidayat", position="guru"),
                    DeskMember(desk=desk, name="Sri Mulyani", position="tendik"),
                    DeskMember(desk=desk, name="Yusuf Maulana", position="komite"),
                    DeskMember(desk=desk, name="Dewi Anggraini", position="komite"),
                ]
            )
            desk_update(
                desk=desk,
                sk_number="421.2/017/SDN1/2026",
                term_start=date(2026, 7, 1),
                term_end=date(2028, 6, 30),
                by=User.objects.get(username="kepsek_indah"),
            )
        self.stdout.write(
            f"SOS Desk: {Desk.objects.count()} sekolah; formulir laporan sekolah contoh: "
            f"/lapor/{desk.public_code}/"
        )

    @transaction.atomic
    def _activities(self) -> None:
        """Three visits of the demo school (one per activity type) with their activities: the
        first held last month with its attendance, the others in the coming weeks."""
        school = School.objects.get(npsn=DEMO_SCHOOL_NPSN)
        if Activity.objects.filter(school=school).exists():
            return
        team = list(
            User.objects.filter(username__in=["peksos_budi", "psikolog_gita", "pendamping_hadi"])
        )
        principal = User.objects.get(username="kepsek_indah")
        started = timezone.now()
        today = timezone.localdate()
        plans = [
            (Visit.Kind.CAMPAIGN, -30, ["penyuluhan", "sosialisasi_uu"], ["siswa_sd", "guru"]),
            (
                Visit.Kind.TRAINING,
                10,
                ["workshop_psikososial", "komunikasi_efektif"],
                ["guru", "orang_tua"],
            ),
            (
                Visit.Kind.ONE_DAY,
                24,
                ["permainan_kelompok", "quality_time", "hadiah_doorprize"],
                ["siswa_sd", "orang_tua", "guru"],
            ),
        ]
        for kind, offset, subs, audiences in plans:
            day = today + timedelta(days=offset)
            day -= timedelta(days=max(0, day.weekday() - 4))  # a weekday
            visit = Visit(school=school, kind=kind, state=Visit.State.PROPOSED)
            visit.set_date(day)
            visit.save()
            for user in team:
                VisitMember.objects.create(visit=visit, user=user, role=user.role)
            # The principal agrees each date; a visit whose activity is held is done, through
            # the same services as in the app (the school's last visit and priority follow).
            visit = visit_services.visit_accept(visit=visit, by=principal)
            if offset < 0:
                peksos = next(u for u in team if u.role == Role.PEKSOS)
                visit = visit_services.visit_done(visit=visit, by=peksos)
            activity = Activity.objects.create(
                visit=visit,
                kind=kind,
                date=day,
                start_time=time(8, 0),
                sub_activities=subs,
                audiences=audiences,
            )
            activity.facilitators.set(team)
            if offset < 0:
                activity.state = Activity.State.HELD
                activity.duration_minutes = 120
                activity.recorded_at = timezone.now()
                activity.save()
                AttendanceCount.objects.bulk_create(
                    AttendanceCount(activity=activity, group=group, sex=sex, count=n)
                    for group, sex, n in [
                        ("siswa_sd", "L", 41),
                        ("siswa_sd", "P", 38),
                        ("guru", "L", 3),
                        ("guru", "P", 9),
                    ]
                )
                tallies.changed(Activity.tally_domains, [school.pk])  # after bulk_create
        # The services' e-mails to the demo team are dropped before they leave (the outbox
        # delivers only after the commit), as the demo year does.
        OutboxMessage.objects.filter(created_at__gte=started).delete()
        self.stdout.write(f"Kegiatan contoh: {len(plans)} kegiatan di {school.name}.")

    @transaction.atomic
    def _demo_users(self) -> None:
        school = School.objects.get(npsn=DEMO_SCHOOL_NPSN)
        made = []
        for username, first, last, role in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = secrets.token_urlsafe(9)
                user = User.objects.create_user(
                    username=username,
                    password=password,
                    first_name=first,
                    last_name=last,
                    role=role,
                    email=f"{username}@demo.peksos.invalid",
                )
                made.append((username, role, password))
            if role in SCHOOL_BOUND:
                SchoolMembership.objects.get_or_create(user=user, school=school)
        if made:
            self.stdout.write(self.style.WARNING("Demo users (passwords shown only this once):"))
            for username, role, password in made:
                self.stdout.write(f"  {username:<18} {Role(role).label:<28} {password}")
        else:
            self.stdout.write(
                "Demo users already exist; their passwords were printed when they were made "
                "(reset one with: .venv/bin/python manage.py changepassword USERNAME)."
            )
