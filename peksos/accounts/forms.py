from django import forms
from django.contrib.auth import forms as auth_forms
from django.template import loader
from django.utils.translation import gettext_lazy as _

from peksos.core import outbox


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("The username/e-mail or password is wrong."),
        "inactive": _("The username/e-mail or password is wrong."),
    }


class OutboxPasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, but the e-mail goes through the outbox (sent after commit)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        outbox.enqueue_email(to=[to_email], subject=subject, body=body)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("The 6-digit code from your authenticator app, or a recovery code."),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].replace(" ", "").strip()
