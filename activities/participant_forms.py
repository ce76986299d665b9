"""Forms of the participant side of activities: question sets, the phone test and feedback
forms, the paper-test grid, prizes and the draw. They validate and normalise; the views call
knowledge_services, feedback_services and draw_services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from peksos.core.forms import CleanTextField, IdempotencyKeyField

from .models import (
    MAX_CHOICES,
    MAX_PRIZE_UNITS,
    MAX_QUESTIONS,
    KnowledgeAttempt,
    ParticipantGroup,
    Prize,
    QuestionSet,
)
from .services.draw import MAX_TICKETS

LETTERS = "ABCDE"[:MAX_CHOICES]
# Big tappable radios on a phone (the template wraps each option in a bordered label).
CHOICE_ATTRS = {"class": "form-check-input fs-5 flex-shrink-0 mt-0"}
PAPER_ROWS = 15
PAPER_MAX_ROWS = 60


# --- Question sets (staff) ---------------------------------------------------------------------


class QuestionSetForm(forms.Form):
    title = CleanTextField(label=_("Title"), max_length=200)
    description = CleanTextField(
        label=_("Description"), max_length=1000, required=False, widget=forms.Textarea({"rows": 2})
    )


class QuestionForm(forms.Form):
    """One multiple-choice question; a row left empty is ignored."""

    text = CleanTextField(
        label=_("Question"), max_length=1000, required=False, widget=forms.Textarea({"rows": 2})
    )
    correct = forms.ChoiceField(
        label=_("Correct choice"),
        choices=[("", "–")] + [(str(i), letter) for i, letter in enumerate(LETTERS)],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i, letter in enumerate(LETTERS):
            self.fields[f"choice_{i}"] = CleanTextField(
                label=_("Choice %(letter)s") % {"letter": letter}, max_length=300, required=False
            )

    def choice_fields(self):
        return [self[f"choice_{i}"] for i in range(len(LETTERS))]

    def clean(self):
        data = super().clean()
        choices = [data.get(f"choice_{i}", "") for i in range(len(LETTERS))]
        text = data.get("text", "")
        if not text and not any(choices):
            data["empty"] = True
            return data
        data["empty"] = False
        if not text:
            self.add_error("text", _("Write the question."))
        # Options are read in order: a gap (A, B empty, C) would shift the letters.
        filled = [c for c in choices if c]
        if choices[: len(filled)] != filled:
            self.add_error("choice_0", _("Fill the choices in order, without gaps."))
        if len(filled) < 2:
            self.add_error("choice_0", _("Give at least two choices."))
        correct = data.get("correct", "")
        if correct == "":
            self.add_error("correct", _("Mark the correct choice."))
        elif int(correct) >= len(filled):
            self.add_error("correct", _("The correct choice must be one of the filled choices."))
        data["choices"] = filled
        return data


class BaseQuestionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not [f for f in self.forms if not f.cleaned_data.get("empty", True)]:
            raise ValidationError(_("Add at least one question."))

    def questions(self) -> list[dict]:
        return [
            {
                "text": f.cleaned_data["text"],
                "choices": f.cleaned_data["choices"],
                "correct": int(f.cleaned_data["correct"]),
            }
            for f in self.forms
            if not f.cleaned_data.get("empty", True)
        ]


QuestionFormSet = forms.formset_factory(
    QuestionForm,
    formset=BaseQuestionFormSet,
    extra=0,
    max_num=MAX_QUESTIONS,
    validate_max=True,
    absolute_max=MAX_QUESTIONS,
)


def question_formset(data=None, qset: QuestionSet | None = None, blank: int = 3):
    initial = []
    if qset is not None:
        for q in qset.questions.all():
            row = {"text": q.text, "correct": str(q.correct)}
            row.update({f"choice_{i}": c for i, c in enumerate(q.choices)})
            initial.append(row)
    room = max(0, min(blank, MAX_QUESTIONS - len(initial)))
    initial += [{} for _i in range(room if qset is not None else max(room, 5))]
    return QuestionFormSet(data, initial=initial if data is None else None, prefix="q")


class ChooseSetForm(forms.Form):
    question_set = forms.ModelChoiceField(
        label=_("Question set"),
        queryset=QuestionSet.objects.filter(is_current=True).order_by("title", "pk"),
        empty_label=_("Choose a question set"),
        error_messages={"invalid_choice": _("Choose one of the question sets in the list.")},
    )


# --- The participant's phone forms ------------------------------------------------------------


GROUP_CHOICES = [("", _("Choose…")), *ParticipantGroup.choices]


class PublicTestForm(forms.Form):
    """The pre- or post-test: the participant group, then one required radio per question."""

    group = forms.ChoiceField(
        label=_("I am one of the"),
        choices=GROUP_CHOICES,
        error_messages={"required": _("Choose your group.")},
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[f"q{q.position}"] = forms.TypedChoiceField(
                label=f"{q.position}. {q.text}",
                choices=[(str(i), text) for i, text in enumerate(q.choices)],
                coerce=int,
                widget=forms.RadioSelect(attrs=CHOICE_ATTRS),
                error_messages={
                    "required": _("Choose an answer."),
                    "invalid_choice": _("Choose one of the answers."),
                },
            )

    def question_fields(self):
        return [self[f"q{q.position}"] for q in self.questions]

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"q{q.position}"] for q in self.questions]


SCALE_CHOICES = [
    ("1", _("1 · very poor")),
    ("2", _("2 · poor")),
    ("3", _("3 · fair")),
    ("4", _("4 · good")),
    ("5", _("5 · very good")),
]


def _scale(label):
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs=CHOICE_ATTRS),
        error_messages={
            "required": _("Choose a number from 1 to 5."),
            "invalid_choice": _("Choose a number from 1 to 5."),
        },
    )


class FeedbackForm(forms.Form):
    satisfaction = _scale(_("Overall, how satisfied are you with this activity?"))
    usefulness = _scale(_("How useful was it for you?"))
    clarity = _scale(_("How clearly did the facilitators explain?"))
    comment = CleanTextField(
        label=_("Comment (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 4, "maxlength": 1000}),
        help_text=_("Do not write names. At most 1000 characters."),
    )
    group = forms.ChoiceField(
        label=_("I am one of the (optional)"), choices=GROUP_CHOICES, required=False
    )


# --- Paper tests (staff) ------------------------------------------------------------------------


class PaperEntryForm(forms.Form):
    """A sheet of paper tests: per row a participant's number (to pair pre and post), group,
    and either the chosen answer to every question or only the score."""

    idempotency_key = IdempotencyKeyField()
    phase = forms.ChoiceField(
        label=_("Test"), choices=KnowledgeAttempt.Phase.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, questions, rows: int = PAPER_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.row_count = max(1, min(rows, PAPER_MAX_ROWS))
        letters = [("", "–")]
        for r in range(self.row_count):
            self.fields[f"r{r}_ref"] = CleanTextField(
                label=_("Number"), max_length=20, required=False
            )
            self.fields[f"r{r}_group"] = forms.ChoiceField(
                label=_("Group"), choices=GROUP_CHOICES, required=False
            )
            for q in self.questions:
                self.fields[f"r{r}_q{q.position}"] = forms.ChoiceField(
                    label=str(q.position),
                    required=False,
                    choices=letters + [(str(i), LETTERS[i]) for i in range(len(q.choices))],
                )
            self.fields[f"r{r}_score"] = forms.IntegerField(
                label=_("Score"),
                required=False,
                min_value=0,
                max_value=len(self.questions),
            )

    def grid(self):
        return [
            {
                "ref": self[f"r{r}_ref"],
                "group": self[f"r{r}_group"],
                "answers": [self[f"r{r}_q{q.position}"] for q in self.questions],
                "score": self[f"r{r}_score"],
                "n": r + 1,
            }
            for r in range(self.row_count)
        ]

    def clean(self):
        data = super().clean()
        rows, refs = [], set()
        for r in range(self.row_count):
            ref = data.get(f"r{r}_ref", "")
            group = data.get(f"r{r}_group", "")
            answers = [data.get(f"r{r}_q{q.position}", "") for q in self.questions]
            score = data.get(f"r{r}_score")
            if f"r{r}_score" in self.errors:
                continue
            has_answers = any(a != "" for a in answers)
            if not (ref or group or has_answers or score is not None):
                continue  # an empty row
            if has_answers and score is not None:
                self.add_error(
                    f"r{r}_score",
                    _("Row %(n)s: give the answers or the score, not both.") % {"n": r + 1},
                )
                continue
            if not has_answers and score is None:
                self.add_error(
                    f"r{r}_score", _("Row %(n)s: give the answers or the score.") % {"n": r + 1}
                )
                continue
            if ref:
                if ref in refs:
                    self.add_error(
                        f"r{r}_ref",
                        _("Row %(n)s: this number is twice on the sheet.") % {"n": r + 1},
                    )
                    continue
                refs.add(ref)
            rows.append(
                {
                    "ref": ref,
                    "group": group,
                    # An answer left empty on paper counts as not answered (wrong).
                    "answers": [int(a) if a != "" else None for a in answers]
                    if has_answers
                    else None,
                    "score": score,
                }
            )
        if not rows and not self.errors:
            raise ValidationError(_("The sheet is empty: fill at least one row."))
        data["rows"] = rows
        return data


# --- Door prizes (staff) -----------------------------------------------------------------------


class PrizeForm(forms.ModelForm):
    name = CleanTextField(label=_("Prize"), max_length=120)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_PRIZE_UNITS, initial=1
    )

    class Meta:
        model = Prize
        fields = ["name", "quantity"]


class DrawForm(forms.Form):
    tickets = forms.IntegerField(
        label=_("Children's tickets (numbered 1 to N)"),
        min_value=0,
        max_value=MAX_TICKETS,
        initial=0,
        help_text=_(
            "Children take part with a numbered ticket: their names are never shown or stored."
        ),
    )
    reason = CleanTextField(label=_("Reason for drawing again"), max_length=300, required=False)

    def __init__(self, *args, rerun: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rerun = rerun
        if rerun:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _(
                "A draw is already recorded: say why it is drawn again."
            )
        else:
            del self.fields["reason"]
