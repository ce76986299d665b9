"""Forum forms: they validate and normalise; the views call forum.services."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role, User
from peksos.core.forms import IdempotencyKeyField
from peksos.core.uploads import validate_image

from . import permissions
from .models import Category, FaqEntry, Flag, InviteCode
from .search import MAX_QUERY

TITLE_MAX = 150
BODY_MAX = 5000


IMAGE_MAX_BYTES = 5 * 1024 * 1024


def _image_field() -> forms.FileField:
    return forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_(
            "JPEG, PNG or WebP, at most 5 MB. Never a photo in which a child can be "
            "recognised: a moderator checks every photo before it is shown."
        ),
    )


class ImageMixin:
    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        return validate_image(upload, max_bytes=IMAGE_MAX_BYTES, prefix="forum-photos")


class QuestionForm(ImageMixin, forms.Form):
    category = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Category.objects.filter(is_active=True),
        empty_label=_("Choose a topic"),
    )
    title = forms.CharField(
        label=_("Your question in one sentence"),
        min_length=10,
        max_length=TITLE_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Tell more"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Do not write a child's name, class, school, address or phone number: the forum "
            "is read by many people. You may use **bold**, *italic*, lists and links."
        ),
    )
    pseudonymous = forms.BooleanField(
        label=_("Ask under a pseudonym"),
        required=False,
        help_text=_("Other users see “Parent” or “Teacher” instead of your name."),
    )
    private = forms.BooleanField(
        label=_("Ask privately"),
        required=False,
        help_text=_("Only you and the programme's staff (PEKSOS, psychologists) see it."),
    )
    image = _image_field()
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not permissions.can_use_pseudonym(user):
            del self.fields["pseudonymous"]
        if not permissions.may_post_images(user):
            del self.fields["image"]


class AnswerForm(ImageMixin, forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Do not write a child's name, class, school, address or phone number."),
    )
    image = _image_field()
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None or not permissions.may_post_images(user):
            del self.fields["image"]


class ApproveForm(forms.Form):
    text = forms.CharField(label=_("Note to the author (optional)"), max_length=500, required=False)


class ReasonForm(forms.Form):
    text = forms.CharField(
        label=_("Reason, shown to the author"),
        max_length=500,
        help_text=_("Say it plainly and kindly: the author will read it."),
    )


class QuestionFilterForm(forms.Form):
    SHOW = [
        ("", _("All questions")),
        ("belum-dijawab", _("Not answered yet")),
        ("sudah-dijawab", _("Answered")),
        ("saya", _("My questions")),
    ]
    kategori = forms.ChoiceField(label=_("Topic"), required=False)
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY, required=False)
    tampil = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False)

    def __init__(self, *args, categories: list[Category], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.slug: c for c in categories}
        self.fields["kategori"].choices = [("", _("All topics"))] + [
            (c.slug, c.name) for c in categories
        ]

    @property
    def category(self) -> Category | None:
        return self.categories.get(self.cleaned_data.get("kategori")) if self.is_valid() else None

    @property
    def show(self) -> str:
        return self.cleaned_data.get("tampil", "") if self.is_valid() else ""

    @property
    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class RegistrationForm(forms.Form):
    invite_code = forms.CharField(
        label=_("School invitation code"),
        max_length=20,
        help_text=_("Printed on your school's poster, or given at a PEKSOS activity."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    role = forms.ChoiceField(
        label=_("I am a"),
        choices=[(Role.ORANG_TUA, _("Parent or guardian")), (Role.GURU, _("Teacher"))],
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(
        label=_("Display name"),
        max_length=40,
        help_text=_("Shown next to your posts. A first name or a nickname is enough."),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=30,
        validators=[User.username_validator],
        help_text=_("For logging in. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send a link to confirm it. It is never shown to other users."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    rules = forms.BooleanField(
        label=_(
            "I will not write anything that identifies a child: no names, classes, addresses "
            "or numbers (UU SPPA Pasal 19)."
        )
    )

    def __init__(self, *args, blocked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.blocked = blocked
        self.bad_code = False
        self.invite = None

    def clean_invite_code(self) -> str:
        typed = InviteCode.normalise(self.cleaned_data["invite_code"])
        if self.blocked:
            raise ValidationError(
                _("Too many wrong codes were tried from this connection. Try again in an hour."),
                code="blocked",
            )
        self.invite = (
            InviteCode.objects.active().select_related("school").filter(code=typed).first()
        )
        if self.invite is None:
            self.bad_code = True
            raise ValidationError(
                _("This code is not valid. Check it on the poster, or ask the school."),
                code="invalid",
            )
        return typed

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken. Choose another."), code="taken")
        return username

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one:
            candidate = User(
                username=data.get("username", ""),
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
            )
            try:
                password_validation.validate_password(one, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class ResendForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class InviteCodeForm(forms.Form):
    label = forms.CharField(
        label=_("Where it is used (optional)"),
        max_length=100,
        required=False,
        help_text=_("For example: school poster 2025, parents' meeting 12 May."),
    )


class SchoolSearchForm(forms.Form):
    q = forms.CharField(label=_("School name or NPSN"), max_length=100, required=False)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this post?"), choices=Flag.Reason, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("More details (optional)"),
        max_length=300,
        required=False,
        help_text=_("Only the moderators read this."),
    )


class FlagResolveForm(forms.Form):
    DECISIONS = [("sembunyikan", _("Hide the post")), ("biarkan", _("Keep the post"))]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Reason, shown to the author when the post is hidden"),
        max_length=500,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "sembunyikan" and not data.get("text"):
            self.add_error("text", _("Say why the post is hidden: the author will read it."))
        return data

    @property
    def hide(self) -> bool:
        return self.cleaned_data.get("decision") == "sembunyikan"


class FaqForm(forms.ModelForm):
    confirm = forms.BooleanField(
        label=_(
            "I wrote this in my own words, without names, classes, schools, places or anything "
            "else that could identify the asker or a child."
        )
    )
    idempotency_key = IdempotencyKeyField()

    class Meta:
        model = FaqEntry
        fields = ["category", "title", "question_text", "answer_text"]
        labels = {
            "category": _("Topic"),
            "title": _("The question, in one general sentence"),
            "question_text": _("The situation, told generally (optional)"),
            "answer_text": _("The answer"),
        }
        widgets = {
            "question_text": forms.Textarea(attrs={"rows": 4}),
            "answer_text": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "answer_text": _("You may use **bold**, *italic*, lists and links."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["title"].validators.append(MinLengthValidator(10))
        for name in ("question_text", "answer_text"):
            self.fields[name].validators.append(MaxLengthValidator(BODY_MAX))
            self.fields[name].widget.attrs["maxlength"] = BODY_MAX


class FaqSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the FAQ"), max_length=MAX_QUERY, required=False)
