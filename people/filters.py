"""The people list: search, filters, the state of each account, and its sort."""

from django import forms
from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role, User
from peksos.core.forms import CleanTextField
from schools.filters import kecamatan_filter
from schools.models import Kecamatan, SchoolMembership

from .models import Invitation

ORDER = ("username", "id")
# Django marks a password that cannot be used (an invited person's, until they accept) with "!".
UNUSABLE = {"password__startswith": "!"}


STATES = [
    ("active", _("active")),
    ("invited", _("invited, not yet accepted")),
    ("deactivated", _("deactivated")),
    ("locked", _("locked out")),
]


def with_state(users: QuerySet[User]) -> QuerySet[User]:
    """Annotate `is_locked` (django-axes counts this account's failures over the limit) and
    `is_invited` (a waiting invitation and no password chosen yet)."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(
        username=OuterRef("lockout_key"),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=since,
    )
    waiting = Invitation.objects.pending().filter(user=OuterRef("pk"))
    return users.annotate(
        lockout_key=Concat(Value("account:"), Cast("pk", CharField())),
        is_locked=Exists(attempts),
        is_invited=Exists(waiting) & Q(**UNUSABLE),
    )


class PersonFilterForm(forms.Form):
    q = CleanTextField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", "—"), *Role.choices])
    npsn = CleanTextField(label="NPSN", required=False, max_length=8)
    kecamatan = kecamatan_filter(
        label="Kecamatan", queryset=Kecamatan.objects.order_by("name"), empty_label="---------"
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", "—"), *STATES])

    def filter(self, users: QuerySet[User]) -> QuerySet[User]:
        users = with_state(users)
        if not self.is_bound or not self.is_valid():
            return users
        data = self.cleaned_data
        if q := data["q"]:
            users = users.filter(
                Q(first_name__icontains=q)
                | Q(last_name__icontains=q)
                | Q(username__icontains=q)
                | Q(email__icontains=q)
                | Q(phone__icontains=q)
            )
        if data["role"]:
            users = users.filter(role=data["role"])
        if data["npsn"]:
            served = SchoolMembership.objects.filter(user=OuterRef("pk"), school__npsn=data["npsn"])
            users = users.filter(Exists(served))
        if data["kecamatan"]:
            served = SchoolMembership.objects.filter(
                user=OuterRef("pk"), school__kecamatan=data["kecamatan"]
            )
            users = users.filter(Exists(served))
        state = data["state"]
        if state == "active":
            users = users.filter(is_active=True, is_locked=False).exclude(**UNUSABLE)
        elif state == "invited":
            users = users.filter(is_active=True, **UNUSABLE)
        elif state == "deactivated":
            users = users.filter(is_active=False)
        elif state == "locked":
            users = users.filter(is_locked=True)
        return users
