"""The fair door-prize draw of a One Day for Children (issue 5): fairness (nobody gets a second
prize while anyone eligible has none; every prize unit is given), reproducibility from the
recorded seed, a re-run never silently changes a recorded result, `verify` detects tampering,
and the staff pages per docs/design.md §3.10 (405, anonymous, other school 404, wrong role 403,
bad input kept, constant queries) plus the projector page."""

import html
import random
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from activities.models import Activity, Attendee, Draw, Prize
from activities.services import draw as draw_services
from peksos.core.models import AuditEvent
from tests.factories import make_activity
from visits.models import Visit

ONE_DAY = Visit.Kind.ONE_DAY


def text(response) -> str:
    return html.unescape(response.content.decode())


def snapshot_of(adults: int, tickets: int, quantities: list[int]) -> dict:
    return {
        "adults": [{"id": f"A:{100 + i}", "name": f"Orang tua {i}"} for i in range(adults)],
        "tickets": tickets,
        "prizes": [
            {"id": i + 1, "name": f"Hadiah {i}", "quantity": q} for i, q in enumerate(quantities)
        ],
    }


# --- The algorithm ------------------------------------------------------------------------------


@given(
    adults=st.integers(0, 40),
    tickets=st.integers(0, 40),
    quantities=st.lists(st.integers(1, 30), min_size=1, max_size=6),
    seed=st.binary(min_size=32, max_size=32).map(bytes.hex),
)
@settings(max_examples=300, deadline=None)
def test_nobody_gets_a_second_prize_while_anyone_has_none(adults, tickets, quantities, seed):
    snapshot = snapshot_of(adults, tickets, quantities)
    eligible = draw_services.eligible_ids(snapshot)
    result = draw_services.compute(seed, snapshot)
    if not eligible:
        assert result == []
        return
    units = sum(quantities)
    # Every unit is given, exactly once, to someone eligible.
    assert len(result) == units
    assert len({(r["prize"], r["unit"]) for r in result}) == units
    assert {r["winner"] for r in result} <= set(eligible)
    wins = Counter(r["winner"] for r in result)
    counts = [wins.get(entry, 0) for entry in eligible]
    # Fair: the prize counts of any two entries differ by at most one...
    assert max(counts) - min(counts) <= 1
    # ...so with enough units everybody wins, and with fewer nobody wins twice.
    if units >= len(eligible):
        assert min(counts) >= 1
    else:
        assert max(counts) == 1
    # And in drawing order: no second prize is handed out while someone still has none.
    seen: Counter = Counter()
    for r in result:
        if seen[r["winner"]] >= 1:
            assert len(seen) == len(eligible)
        seen[r["winner"]] += 1


def test_the_same_seed_and_inputs_give_the_same_result_in_any_order():
    snapshot = snapshot_of(12, 30, [3, 1, 5])
    seed = "ab" * 32
    first = draw_services.compute(seed, snapshot)
    shuffled = dict(snapshot, adults=random.Random(1).sample(snapshot["adults"], 12))
    shuffled["prizes"] = list(reversed(snapshot["prizes"]))
    assert draw_services.compute(seed, shuffled) == first
    assert draw_services.compute(seed, snapshot) == first
    assert draw_services.compute("cd" * 32, snapshot) != first


def test_the_seed_comes_from_secrets_and_differs_each_time():
    seeds = {draw_services.new_seed() for _i in range(20)}
    assert len(seeds) == 20 and all(len(s) == 64 for s in seeds)


# --- Recording, re-running, verifying -----------------------------------------------------------


@pytest.fixture
def one_day(school_a, peksos_budi):
    activity = make_activity(
        school_a, ONE_DAY, facilitators=[peksos_budi], state=Activity.State.HELD
    )
    for i in range(6):
        Attendee.objects.create(activity=activity, name=f"Ibu Wali {i}", group="orang_tua")
    Prize.objects.create(activity=activity, name="Tas sekolah", quantity=3)
    Prize.objects.create(activity=activity, name="Buku cerita", quantity=5)
    return activity


def test_a_draw_records_inputs_seed_result_and_digest(one_day, koordinator_ani):
    draw = draw_services.run_draw(one_day, tickets=10, by=koordinator_ani, seed="12" * 32)
    assert draw.seed == "12" * 32 and draw.algorithm == draw_services.ALGORITHM
    assert len(draw.snapshot["adults"]) == 6 and draw.snapshot["tickets"] == 10
    assert draw.result == draw_services.compute(draw.seed, draw.snapshot)
    assert len(draw.result) == 8 and len(draw.digest) == 64
    assert draw_services.verify(draw).ok
    assert (
        AuditEvent.objects.filter(action="activity_draw_run", object_id=str(draw.pk)).count() == 1
    )
    # The record holds: renaming an attendee or removing a prize later changes nothing in it.
    Attendee.objects.filter(activity=one_day).update(name="diubah")
    one_day.prizes.all().delete()
    draw.refresh_from_db()
    assert draw_services.verify(draw).ok
    assert "Ibu Wali 0" in {a["name"] for a in draw.snapshot["adults"]}


def test_a_rerun_needs_a_reason_and_keeps_the_old_draw(one_day, koordinator_ani):
    first = draw_services.run_draw(one_day, tickets=4, by=koordinator_ani)
    recorded = (first.seed, first.result, first.digest)
    with pytest.raises(ValidationError):
        draw_services.run_draw(one_day, tickets=4, by=koordinator_ani)
    with pytest.raises(ValidationError):
        draw_services.run_draw(one_day, tickets=4, by=koordinator_ani, reason="   ")
    assert Draw.objects.filter(activity=one_day).count() == 1
    second = draw_services.run_draw(
        one_day, tickets=4, by=koordinator_ani, reason="Dua hadiah tertinggal di mobil"
    )
    first.refresh_from_db()
    assert (first.seed, first.result, first.digest) == recorded
    assert first.state == Draw.State.SUPERSEDED and second.state == Draw.State.CURRENT
    assert second.supersedes == first and second.number == 2
    assert second.reason == "Dua hadiah tertinggal di mobil"
    assert draw_services.verify(first).ok and draw_services.verify(second).ok
    assert AuditEvent.objects.filter(action="activity_draw_rerun").count() == 1


@pytest.mark.parametrize("field", ["result", "snapshot", "seed", "digest"])
def test_verify_detects_tampering(one_day, koordinator_ani, field):
    draw = draw_services.run_draw(one_day, tickets=3, by=koordinator_ani)
    if field == "result":
        draw.result[0]["winner"], draw.result[1]["winner"] = (
            draw.result[1]["winner"],
            draw.result[0]["winner"],
        )
    elif field == "snapshot":
        draw.snapshot["tickets"] = 2
    elif field == "seed":
        draw.seed = "0" * 64
    else:
        draw.digest = "f" * 64
    Draw.objects.filter(pk=draw.pk).update(**{field: getattr(draw, field)})
    draw.refresh_from_db()
    check = draw_services.verify(draw, by=koordinator_ani)
    assert not check.ok
    assert AuditEvent.objects.filter(action="activity_draw_mismatch").count() == 1


def test_only_one_day_activities_with_entries_and_prizes_draw(school_a, koordinator_ani):
    campaign = make_activity(school_a, Visit.Kind.CAMPAIGN)
    Prize.objects.create(activity=campaign, name="Pena", quantity=1)
    with pytest.raises(ValidationError):
        draw_services.run_draw(campaign, tickets=5, by=koordinator_ani)
    empty = make_activity(school_a, ONE_DAY, state=Activity.State.HELD)
    with pytest.raises(ValidationError):
        draw_services.run_draw(empty, tickets=5, by=koordinator_ani)  # no prizes
    Prize.objects.create(activity=empty, name="Pena", quantity=1)
    with pytest.raises(ValidationError):
        draw_services.run_draw(empty, tickets=0, by=koordinator_ani)  # nobody
    assert not Draw.objects.exists()


# --- Pages -------------------------------------------------------------------------------------


def test_staff_enter_prizes_run_the_draw_and_check_it(one_day, login, peksos_budi):
    client = login(peksos_budi)
    page = client.get(reverse("activities:draw", args=[one_day.pk]))
    assert page.status_code == 200 and "Tas sekolah" in text(page)
    response = client.post(
        reverse("activities:prize-add", args=[one_day.pk]), {"name": "Payung", "quantity": "2"}
    )
    assert response.status_code == 302
    assert one_day.prizes.filter(name="Payung", quantity=2).exists()
    response = client.post(reverse("activities:draw-run", args=[one_day.pk]), {"tickets": "20"})
    draw = Draw.objects.get(activity=one_day)
    assert response.status_code == 302 and response.url == reverse(
        "activities:draw-detail", args=[one_day.pk, draw.pk]
    )
    detail = text(client.get(response.url))
    assert draw.seed in detail and draw.digest in detail
    for row in draw.result:
        if row["winner"].startswith("T:"):
            assert f"Kupon nomor {row['winner'][2:]}" in detail
    response = client.post(
        reverse("activities:draw-verify", args=[one_day.pk, draw.pk]), follow=True
    )
    assert "cocok" in text(response).lower() or "match" in text(response).lower()
    assert AuditEvent.objects.filter(action="activity_draw_verified").count() == 1


def test_drawing_again_without_a_reason_is_refused_and_keeps_the_input(one_day, login, peksos_budi):
    client = login(peksos_budi)
    client.post(reverse("activities:draw-run", args=[one_day.pk]), {"tickets": "7"})
    response = client.post(reverse("activities:draw-run", args=[one_day.pk]), {"tickets": "9"})
    assert response.status_code == 200
    assert 'value="9"' in response.content.decode()
    assert Draw.objects.filter(activity=one_day).count() == 1
    response = client.post(
        reverse("activities:draw-run", args=[one_day.pk]),
        {"tickets": "9", "reason": "Salah jumlah tiket"},
    )
    assert response.status_code == 302
    assert Draw.objects.filter(activity=one_day).count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "quantity": "1"},
        {"name": "Bola", "quantity": "0"},
        {"name": "Bola", "quantity": "99999999999999999999"},
        {"name": "Bola\x00", "quantity": "-3"},
    ],
)
def test_bad_prize_input_shows_an_error_and_keeps_what_was_typed(one_day, login, peksos_budi, data):
    response = login(peksos_budi).post(reverse("activities:prize-add", args=[one_day.pk]), data)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    if data["name"]:
        assert 'value="Bola' in response.content.decode()
    assert one_day.prizes.count() == 2


@pytest.mark.parametrize("tickets", ["-1", "5001", "abc", "1e9", ""])
def test_bad_ticket_numbers_are_refused(one_day, login, peksos_budi, tickets):
    response = login(peksos_budi).post(
        reverse("activities:draw-run", args=[one_day.pk]), {"tickets": tickets}
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Draw.objects.exists()


def test_projector_page_shows_winners_one_by_one_without_staff_chrome(one_day, login, peksos_budi):
    draw = draw_services.run_draw(one_day, tickets=0, by=peksos_budi)
    client = login(peksos_budi)
    url = reverse("activities:draw-screen", args=[one_day.pk, draw.pk])
    first = client.get(url)
    body = first.content.decode()
    assert first.status_code == 200 and "navbar" not in body and "<script>" not in body
    assert 'href="?n=1"' in body
    names = dict((a["id"], a["name"]) for a in draw.snapshot["adults"])
    for n in (1, 2, 8):
        page = text(client.get(url, {"n": n}))
        assert names[draw.result[n - 1]["winner"]] in page
        later = {names[r["winner"]] for r in draw.result[n:]} - {
            names[r["winner"]] for r in draw.result[:n]
        }
        assert not any(name in page for name in later)
    for odd in ("-5", "999", "x"):
        assert client.get(url, {"n": odd}).status_code == 200
    assert client.get(url, {"n": "\x00"}).status_code == 400  # NUL: refused before the view


def test_children_are_never_named_in_a_draw(one_day, login, peksos_budi):
    draw = draw_services.run_draw(one_day, tickets=50, by=peksos_budi)
    entries = {r["winner"] for r in draw.result}
    assert all(e.startswith(("A:", "T:")) for e in entries)
    assert set(draw.snapshot) == {"adults", "tickets", "prizes"}


def test_post_only_actions_refuse_get(one_day, login, koordinator_ani):
    draw = draw_services.run_draw(one_day, tickets=1, by=koordinator_ani)
    prize = one_day.prizes.first()
    client = login(koordinator_ani)
    for url in (
        reverse("activities:prize-add", args=[one_day.pk]),
        reverse("activities:prize-delete", args=[one_day.pk, prize.pk]),
        reverse("activities:draw-run", args=[one_day.pk]),
        reverse("activities:draw-verify", args=[one_day.pk, draw.pk]),
    ):
        assert client.get(url).status_code == 405
    assert (
        client.post(reverse("activities:draw-screen", args=[one_day.pk, draw.pk])).status_code
        == 405
    )


def test_anonymous_are_sent_to_log_in(one_day, client):
    for url in (
        reverse("activities:draw", args=[one_day.pk]),
        reverse("activities:draw-run", args=[one_day.pk]),
    ):
        response = client.post(url) if url.endswith("jalankan/") else client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert not Draw.objects.exists()


def test_scope_other_school_404_and_roles_403(
    one_day, login, peksos_joko_sdn2, sosdesk_citra_sdn1, kepsek_indah, guru_eka, psikolog_gita
):
    draw = draw_services.run_draw(one_day, tickets=2, by=None)
    urls = [
        reverse("activities:draw", args=[one_day.pk]),
        reverse("activities:draw-detail", args=[one_day.pk, draw.pk]),
        reverse("activities:draw-screen", args=[one_day.pk, draw.pk]),
    ]
    for url in urls:
        assert login(peksos_joko_sdn2).get(url).status_code == 404  # another school
        assert login(psikolog_gita).get(url).status_code == 404  # not their session
        assert login(sosdesk_citra_sdn1).get(url).status_code == 403  # counts only, no names
        assert login(guru_eka).get(url).status_code == 403
        assert login(kepsek_indah).get(url).status_code == 200  # reads the draw of their school
    client = login(kepsek_indah)
    assert (
        client.post(
            reverse("activities:draw-run", args=[one_day.pk]), {"tickets": "1", "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("activities:prize-add", args=[one_day.pk]), {"name": "x", "quantity": "1"}
        ).status_code
        == 403
    )
    assert Draw.objects.count() == 1 and one_day.prizes.count() == 2
    campaign = make_activity(one_day.school, Visit.Kind.CAMPAIGN)
    assert client.get(reverse("activities:draw", args=[campaign.pk])).status_code == 404


def test_draw_page_queries_do_not_grow_with_draws_and_prizes(one_day, login, koordinator_ani):
    client = login(koordinator_ani)
    url = reverse("activities:draw", args=[one_day.pk])
    draw_services.run_draw(one_day, tickets=1, by=koordinator_ani)
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for i in range(6):
        Prize.objects.create(activity=one_day, name=f"Hadiah {i}", quantity=1)
        draw_services.run_draw(one_day, tickets=i, by=koordinator_ani, reason=f"ulang {i}")
    assert count() == few


def test_the_draw_opens_only_once_the_activity_is_held(one_day, login, peksos_budi):
    one_day.state = Activity.State.PLANNED
    one_day.save()
    with pytest.raises(ValidationError, match="terlaksana"):
        draw_services.run_draw(one_day, tickets=5, by=peksos_budi)
    client = login(peksos_budi)
    page = client.get(reverse("activities:draw", args=[one_day.pk])).content.decode()
    assert "Undian baru dibuka setelah kegiatan dicatat terlaksana" in page
    assert reverse("activities:draw-run", args=[one_day.pk]) not in page
    response = client.post(reverse("activities:draw-run", args=[one_day.pk]), {"tickets": "5"})
    assert response.status_code == 200
    assert "Undian baru dibuka setelah kegiatan dicatat terlaksana" in response.content.decode()
    assert not Draw.objects.exists()
