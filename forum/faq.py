"""The forum's frequently asked questions: written by staff from private consultations,
checked for what may identify a child, published and withdrawn with an audit row each."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from peksos.accounts.models import User
from peksos.core import audit
from peksos.core.idempotency import create_once

from . import child_safety, permissions
from .models import (
    Category,
    FaqEntry,
    Question,
)


def _faq_check(title: str, question_text: str, answer_text: str) -> None:
    found = child_safety.reasons(title, question_text, answer_text)
    if found:
        raise ValidationError(
            _(
                "The text may still identify a child or a family: %(what)s. Rewrite it "
                "without these details."
            )
            % {"what": "; ".join(str(e) for e in child_safety.explain(found))},
            code="identifying",
        )


def faq_create(
    *,
    source: Question | None,
    category: Category,
    title: str,
    question_text: str,
    answer_text: str,
    by: User,
    idempotency_key=None,
    request: HttpRequest | None = None,
) -> FaqEntry:
    """Write a draft FAQ entry (staff only). The text is what the staff member wrote, checked
    for anything identifying; a moderator other than the writer publishes it."""
    if not permissions.can_write_faq(by):
        raise ValidationError(_("You cannot write FAQ entries."), code="role")
    earlier = (
        FaqEntry.objects.filter(idempotency_key=idempotency_key, created_by=by)
        if idempotency_key
        else None
    )
    if earlier is not None and (found := earlier.first()) is not None:
        return found
    _faq_check(title, question_text, answer_text)
    if source is not None and (
        source.body.strip() in {question_text.strip(), answer_text.strip()}
        or source.title.strip() == title.strip()
    ):
        raise ValidationError(
            _("Do not copy the asker's words: tell the question in your own words."),
            code="copied",
        )

    def draft() -> FaqEntry:
        entry = FaqEntry.objects.create(
            source_question=source,
            category=category,
            title=title,
            question_text=question_text,
            answer_text=answer_text,
            created_by=by,
            last_edited_by=by,
            idempotency_key=idempotency_key or None,
        )
        audit.record("forum_faq_drafted", request=request, actor=by, obj=entry)
        return entry

    return create_once(earlier, draft, looked_up=True)[0]


def faq_edit(
    *,
    entry: FaqEntry,
    category: Category,
    title: str,
    question_text: str,
    answer_text: str,
    by: User,
    request: HttpRequest | None = None,
) -> FaqEntry:
    """Change an entry. A published entry that is changed goes back to review."""
    _faq_check(title, question_text, answer_text)
    with transaction.atomic():
        entry = FaqEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == FaqEntry.Status.WITHDRAWN:
            raise ValidationError(_("A withdrawn entry cannot be changed."), code="state")
        entry.category = category
        entry.title = title
        entry.question_text = question_text
        entry.answer_text = answer_text
        entry.updated_at = timezone.now()
        entry.last_edited_by = by
        entry.status = FaqEntry.Status.DRAFT
        entry.reviewed_by = None
        entry.save()
        audit.record("forum_faq_edited", request=request, actor=by, obj=entry)
    return entry


def faq_publish(*, entry: FaqEntry, by: User, request: HttpRequest | None = None) -> FaqEntry:
    """A moderator who did not write (or last change) the entry publishes it."""
    with transaction.atomic():
        entry = FaqEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != FaqEntry.Status.DRAFT:
            raise ValidationError(_("Only a draft can be published."), code="state")
        if (entry.last_edited_by_id or entry.created_by_id) == by.pk:
            raise ValidationError(
                _("Another moderator must review and publish what you wrote."), code="four_eyes"
            )
        entry.status = FaqEntry.Status.PUBLISHED
        entry.reviewed_by = by
        entry.published_at = timezone.now()
        entry.save(update_fields=["status", "reviewed_by", "published_at"])
        audit.record("forum_faq_published", request=request, actor=by, obj=entry)
    return entry


def faq_withdraw(*, entry: FaqEntry, by: User, request: HttpRequest | None = None) -> FaqEntry:
    with transaction.atomic():
        entry = FaqEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == FaqEntry.Status.WITHDRAWN:
            raise ValidationError(_("This entry is already withdrawn."), code="state")
        entry.status = FaqEntry.Status.WITHDRAWN
        entry.save(update_fields=["status"])
        audit.record("forum_faq_withdrawn", request=request, actor=by, obj=entry)
    return entry
