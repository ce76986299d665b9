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
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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


# --- filters over a long list (a national register) ----------------------------------------------

FEW = 200  # up to this many choices a filter lists them all, as a plain select (a city's regions)
SHOWN = 20  # beyond it, without JavaScript: the chosen one and the first SHOWN, with a hint


class LongChoiceSelect(forms.Select):
    """The select of a `LongModelChoiceField`: its rendering costs the same for 5 or 80,000 rows.

    Django renders a model choice field by iterating its whole queryset (8,760 regions on the
    schools list of a tenth of the country, docs/benchmarks.md). This widget reads at most
    FEW + 1 rows: if there are no more than FEW it lists them all, as before (Kota Metro's 5
    kecamatan and 22 kelurahan look exactly as they did); otherwise it lists the chosen value
    and the first SHOWN, and carries `data-searchable` and `data-search-url`, so
    static/js/searchable.js asks the search endpoint as the user types (Tom Select's `load`).
    The field's queryset, and so its validation, is unchanged: any valid id is accepted.
    `narrow` (a dict of lookups, set by the form) limits what is listed, e.g. the kelurahan of
    the chosen kecamatan."""

    def __init__(self, attrs=None, search_url="", depends_on=""):
        super().__init__(attrs)
        self.search_url = search_url
        self.depends_on = depends_on
        self.narrow = {}
        self.many = False

    def _listed(self, value) -> list:
        iterator = self.choices
        field = getattr(iterator, "field", None)
        if field is None:  # plain choices: nothing to bound
            self.many = False
            return list(iterator)
        queryset = iterator.queryset.filter(**self.narrow)
        first = list(queryset[: FEW + 1])
        self.many = len(first) > FEW
        rows = first[:SHOWN] if self.many else first
        chosen = [v for v in value if v not in ("", None)]
        if self.many and chosen:
            key = field.to_field_name or "pk"
            try:
                picked = list(iterator.queryset.filter(**{f"{key}__in": chosen[:1]}))
            except (ValueError, TypeError, ValidationError):
                picked = []  # a malformed value: the form shows its error, nothing is listed
            rows = picked + [r for r in rows if r not in picked]
        listed = [iterator.choice(obj) for obj in rows]
        if field.empty_label is not None:
            listed.insert(0, ("", field.empty_label))
        return listed

    def get_context(self, name, value, attrs):
        original = self.choices
        self.choices = self._listed(self.format_value(value))
        try:
            if self.many and self.search_url:
                attrs = {**(attrs or {}), "data-searchable": True}
                attrs["data-search-url"] = str(self.search_url)
                if self.depends_on:
                    attrs["data-search-depends"] = self.depends_on
            return super().get_context(name, value, attrs)
        finally:
            self.choices = original

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not self.many:
            return html
        # Without JavaScript only the first SHOWN are listed: say so, and how to narrow.
        hint = _("Type to search. Without JavaScript only the first %(n)s are listed.")
        return format_html(
            '{}<div class="form-text" data-long-hint>{}</div>', html, hint % {"n": SHOWN}
        )


class LongModelChoiceField(forms.ModelChoiceField):
    """A filter over a list that may be long (regions, staff): see `LongChoiceSelect`.
    `search_url` is the JSON search endpoint (reverse_lazy); `depends_on` names another field
    of the form whose value the search sends along (the kelurahan of a kecamatan)."""

    widget = LongChoiceSelect

    def __init__(self, *args, search_url="", depends_on="", **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.search_url = search_url
        self.widget.depends_on = depends_on

    def narrow(self, **lookups) -> None:
        """List only these rows (validation still accepts any row of the queryset)."""
        self.widget.narrow = lookups
