"""Without DATABASE_REPLICA_URL (the embedded default and one machine) nothing changes: every
read on `default`, no cookie, no replica in the health check. The replica itself is tested
against a real standby in tests/scaleout/test_replica.py."""

import json

from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from peksos.core import dbrouter
from schools.models import School


def test_without_a_replica_every_read_is_on_the_default(db, settings, django_assert_num_queries):
    assert "replica" not in settings.DATABASES
    with dbrouter.replica_reads():
        assert dbrouter.read_alias() == "default"
        assert dbrouter.ReplicaRouter().db_for_read(School) is None
        with django_assert_num_queries(1):
            School.objects.count()
    assert dbrouter.replica_status() == ("", None)


def test_without_a_replica_the_middleware_sets_no_cookie():
    response = dbrouter.PrimaryAfterWriteMiddleware(lambda r: HttpResponse("ok"))(
        RequestFactory().post("/")
    )
    assert dbrouter.COOKIE not in response.cookies


def test_without_a_replica_the_health_check_does_not_mention_one(client, db):
    body = json.loads(client.get(reverse("healthz")).content)
    assert "replica" not in body and body["database"] == "ok"


def test_the_router_never_migrates_the_replica_and_writes_to_the_default():
    router = dbrouter.ReplicaRouter()
    assert router.allow_migrate("replica", "schools") is False
    assert router.allow_migrate("default", "schools") is None
    assert router.db_for_write(School) == "default"
