"""The shared form pieces and `create_once` (peksos/core/forms.py, peksos/core/idempotency.py)."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from peksos.accounts.models import Role, User
from peksos.core.forms import IDEMPOTENCY_KEY_RE, CleanTextField, IdempotencyKeyField
from peksos.core.idempotency import create_once
from peksos.core.refusals import Refusal


class NoteForm(forms.Form):
    text = CleanTextField(max_length=50)
    idempotency_key = IdempotencyKeyField()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("  halo\x00 dunia \x07 ", "halo dunia"), ("baris 1\nbaris\t2", "baris 1\nbaris\t2")],
)
def test_clean_text_drops_control_characters_but_keeps_lines(typed, kept):
    form = NoteForm({"text": typed, "idempotency_key": "k" * 20})
    assert form.is_valid()
    assert form.cleaned_data["text"] == kept


@pytest.mark.parametrize("sent", ["", "pendek", "ada spasi di dalam kunci", "x" * 65, None])
def test_a_missing_or_malformed_key_is_replaced_by_a_fresh_one(sent):
    data = {"text": "halo"} | ({} if sent is None else {"idempotency_key": sent})
    form = NoteForm(data)
    assert form.is_valid()
    key = form.cleaned_data["idempotency_key"]
    assert key != sent and IDEMPOTENCY_KEY_RE.fullmatch(key)


def test_a_good_key_is_kept_and_each_form_shown_gets_its_own():
    form = NoteForm({"text": "halo", "idempotency_key": "abcDEF_123-abcdef"})
    assert form.is_valid() and form.cleaned_data["idempotency_key"] == "abcDEF_123-abcdef"
    first, second = (str(NoteForm()["idempotency_key"]) for _ in range(2))
    assert first != second


def _user(name: str) -> User:
    return User.objects.create_user(username=name, password="x", role=Role.GURU)


@pytest.mark.django_db
def test_create_once_creates_then_returns_the_first():
    earlier = User.objects.filter(username="guru_sekali")
    made, created = create_once(earlier, lambda: _user("guru_sekali"))
    assert created
    again, created_again = create_once(earlier, lambda: pytest.fail("created twice"))
    assert (again, created_again) == (made, False)


@pytest.mark.django_db
def test_two_submits_at_the_same_moment_give_the_first_ones_object():
    """The second insert fails on the unique key (the first one won a moment ago)."""
    first = _user("guru_kembar")

    def late_duplicate() -> User:
        return _user("guru_kembar")  # IntegrityError: the name is taken

    got, created = create_once(
        User.objects.filter(username="guru_kembar"), late_duplicate, looked_up=True
    )
    assert (got, created) == (first, False)


@pytest.mark.django_db
def test_a_clash_that_is_not_an_earlier_submit_is_a_refusal_not_a_500():
    _user("guru_lain")
    with pytest.raises(Refusal) as refused:
        create_once(User.objects.filter(username="orang_lain"), lambda: _user("guru_lain"))
    assert isinstance(refused.value, ValidationError)
    assert refused.value.code == "stale"
    assert User.objects.filter(username="guru_lain").count() == 1


@pytest.mark.django_db
def test_without_a_key_a_clash_is_not_hidden():
    _user("guru_tanpa_kunci")
    with pytest.raises(IntegrityError):
        create_once(None, lambda: _user("guru_tanpa_kunci"))
