"""Form pieces every app uses: the date input, text cleaning, and the hidden idempotency key.

- `DATE_WIDGET`: the browser's own date picker (a phone shows its calendar), ISO values.
- `CleanTextField`: text typed by people, with NUL and the other control characters (except
  line breaks and tabs) dropped, not refused: PostgreSQL refuses NUL, and nobody can see them.
- `with_empty_choice`: a select's choices after Django's own empty label ("- Pilih salah satu -"
  in Indonesian, from the project's catalogue), never a bare row of dashes.
- `IdempotencyKeyField`: a random key put in a form when it is shown, so that the same form sent
  twice acts once (`peksos.core.idempotency.create_once`). A missing or malformed key gets a fresh
  one: nobody is refused because of a field they cannot see.
"""

import re
import secrets

from django import forms
from django.db.models.fields import BLANK_CHOICE_LABEL

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

IDEMPOTENCY_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def with_empty_choice(choices) -> list:
    return [("", BLANK_CHOICE_LABEL), *choices]


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def clean_text(value: str) -> str:
    return "".join(ch for ch in value if ch in "\n\t" or ord(ch) >= 32).strip()


class CleanTextField(forms.CharField):
    def to_python(self, value):
        return clean_text(super().to_python(value))


class IdempotencyKeyField(forms.CharField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("initial", new_idempotency_key)  # a fresh key each time it is shown
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        value = value.strip() if isinstance(value, str) else ""
        return value if IDEMPOTENCY_KEY_RE.fullmatch(value) else new_idempotency_key()


def searchable_select(**attrs) -> forms.Select:
    """A select for a long list (e.g. the 308 schools): static/js/searchable.js turns it into a
    box where typing part of a name filters the options; without JavaScript it is a plain select."""
    return forms.Select(attrs={"data-searchable": True, **attrs})
