"""Forms of the case's protection page (sosdesk/views/protection.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import User
from peksos.core.forms import CleanTextField

from ..models import Case
from . import services


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.get_role_display()})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.get_role_display()})"


class RestrictForm(forms.Form):
    keep = PeopleChoiceField(
        label=_("Who of the school's desk keeps access"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Everyone not ticked loses access at once. You keep access; Koordinators always "
            "have it."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the school's other desk members will no longer see it."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, case: Case, by: User, **kwargs):
        kwargs.setdefault("auto_id", "id_restrict_%s")
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = services.keep_candidates(case, by)


class HandlerForm(forms.Form):
    user = PersonChoiceField(
        label=_("Person to name"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the person who will handle the case."),
            "invalid_choice": _("This person cannot be named to handle this case."),
        },
    )

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault("auto_id", "id_handler_%s")
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = services.handler_candidates(case)


class RecusalForm(forms.Form):
    user = PersonChoiceField(
        label=_("Person to recuse"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the person to recuse."),
            "invalid_choice": _("This person cannot be recused from this case."),
        },
    )
    reason = CleanTextField(
        label=_("Why"),
        max_length=300,
        help_text=_("For example: related to a person involved. Seen by Koordinators only."),
        error_messages={"required": _("Write why, in a few words.")},
    )

    def __init__(self, *args, case: Case, by: User, koordinator: bool, **kwargs):
        kwargs.setdefault("auto_id", "id_recuse_%s")
        super().__init__(*args, **kwargs)
        people = services.recusal_candidates(case)
        if not koordinator:  # a desk member recuses themselves only
            people = people.filter(pk=by.pk)
            self.fields["user"].label = _("Recuse myself")
        self.fields["user"].queryset = people


class UnrestrictForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The school's desk may see this case again."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_unrestrict_%s")
        super().__init__(*args, **kwargs)
