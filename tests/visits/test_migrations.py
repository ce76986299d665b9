"""A database made before visits moved to an app of their own (main at e435ba0: visits inside
`activities`, idempotency keys as UUID columns) migrates to today's layout with nothing lost."""

import uuid
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from schools.seed import load_kota_metro

# The last migration of each app on main before the move.
BEFORE_THE_MOVE = [
    ("core", "0004_partition_version"),
    ("accounts", "0002_login_failure"),
    ("schools", "0002_register_indexes"),
    ("activities", "0005_visit_year_date_index"),
    ("sosdesk", "0005_open_counts_from_index"),
    ("forum", "0005_post_images"),
    ("monitoring", "0003_open_counts_from_index"),
    ("reports", "0001_initial"),
]


def _migrate(targets) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_visits_activities_and_plan_runs_survive_the_move():
    old = _migrate(BEFORE_THE_MOVE)
    try:
        kecamatan = old.get_model("schools", "Kecamatan").objects.create(
            code="18.72.99", name="Uji Migrasi"
        )
        school = old.get_model("schools", "School").objects.create(
            npsn="99999999", name="SD UJI MIGRASI", level="SD", kecamatan=kecamatan
        )
        user = old.get_model("accounts", "User").objects.create(
            username="peksos_migrasi", role="peksos"
        )
        plan = old.get_model("activities", "PlanRun").objects.create(
            school_year=2026, created_by=user
        )
        visit = old.get_model("activities", "Visit").objects.create(
            school=school, date=date(2026, 9, 7), school_year=2026, semester=1, plan=plan
        )
        old.get_model("activities", "VisitMember").objects.create(
            visit=visit, user=user, role="peksos"
        )
        key = uuid.uuid4()
        activity = old.get_model("activities", "Activity").objects.create(
            visit=visit,
            school=school,
            kind=visit.kind,
            tier=1,
            date=visit.date,
            public_code="migrasi1",
            idempotency_key=key,
        )
    finally:
        new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    new_visit = new.get_model("visits", "Visit").objects.get(pk=visit.pk)
    assert new_visit.school_id == school.pk and new_visit.plan_id == plan.pk
    assert new.get_model("visits", "PlanRun").objects.filter(pk=plan.pk).exists()
    assert new.get_model("visits", "VisitMember").objects.get(visit=new_visit).user_id == user.pk
    moved = new.get_model("activities", "Activity").objects.get(pk=activity.pk)
    assert moved.visit_id == visit.pk
    assert moved.idempotency_key.replace("-", "") == key.hex  # a UUID column became text
    content_types = new.get_model("contenttypes", "ContentType").objects
    assert not content_types.filter(app_label="activities", model="visit").exists()
    load_kota_metro()  # the flush after a transactional test empties the register: refill
