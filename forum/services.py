"""Forum workflows: one transaction each, an audit row, e-mails through the outbox.

A post is checked before it is published: if it may identify a child (forum.child_safety) or
its author's account is new, it waits for a moderator with a note saying why. E-mails never
carry a post's text or title (they may be about a child): only that something happened and
where to look. Who may call what is decided in forum.permissions, by the views.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.accounts.models import PROGRAMME_ROLES, Role, User
from peksos.core import audit, outbox
from peksos.core.idempotency import create_once
from peksos.core.uploads import CleanUpload
from peksos.notifications.models import Kind
from peksos.notifications.services import notify
from schools.models import School, SchoolMembership

from . import child_safety, figures, permissions
from .models import (
    Answer,
    Category,
    Flag,
    HelpfulMark,
    ModerationNote,
    Post,
    PostImage,
    Question,
)

Status = Post.Status
Action = ModerationNote.Action

# Post rates, counted in the database (works with Redis down, across workers).
POSTS_PER_WINDOW = 5
POST_WINDOW = timedelta(minutes=10)
POSTS_PER_DAY = 30

# Questions without an answer this long remind the staff (forum.tasks.remind_unanswered).
UNANSWERED_AFTER = timedelta(days=getattr(settings, "FORUM_UNANSWERED_DAYS", 2))


def link(request: HttpRequest | None, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return getattr(settings, "PEKSOS_BASE_URL", "").rstrip("/") + path


def email_user(user: User, subject: str, body: str) -> None:
    if user.email and user.is_active:
        outbox.enqueue_email(to=[user.email], subject=subject, body=body)


def _notify(user: User, kind: str, subject: str, body: str, link: str) -> None:
    """A notification in the app, e-mailed as the user chose (peksos.notifications)."""
    notify([user], kind, subject, link, email_body=body)


# --- Posting --------------------------------------------------------------------------------


def check_post_rate(user: User, now=None) -> None:
    """Refuse a post beyond the rate limits, with a message the author can act on."""
    now = now or timezone.now()

    def posts_since(moment) -> int:
        return (
            Question.objects.by(user).created_since(moment).count()
            + Answer.objects.by(user).created_since(moment).count()
        )

    if posts_since(now - POST_WINDOW) >= POSTS_PER_WINDOW:
        raise ValidationError(
            _(
                "You have written %(count)s posts in the last %(minutes)s minutes. "
                "Please wait a little before writing again; what you typed is kept below."
            )
            % {"count": POSTS_PER_WINDOW, "minutes": int(POST_WINDOW.total_seconds() // 60)},
            code="rate",
        )
    if posts_since(now - timedelta(days=1)) >= POSTS_PER_DAY:
        raise ValidationError(
            _("You have reached today's limit of posts. Please come back tomorrow."),
            code="rate",
        )


def _hold_reasons(author: User, *texts: str, image: CleanUpload | None = None) -> list[str]:
    reasons = child_safety.reasons(*texts)
    if permissions.needs_review(author):
        reasons.append(ModerationNote.NEW_ACCOUNT)
    if image is not None:
        reasons.append(ModerationNote.IMAGE)
    return reasons


def _check_image_allowed(author: User, image: CleanUpload | None) -> None:
    if image is not None and not permissions.may_post_images(author):
        raise ValidationError(
            _("New accounts cannot add photos yet. Send your post without the photo."),
            code="image",
        )


def _attach(image: CleanUpload | None, author: User, **post) -> None:
    if image is None:
        return
    PostImage.objects.create(
        file=image.as_file(),
        display_name=image.display_name,
        content_type=image.content_type,
        size=image.size,
        sha256=image.sha256,
        uploaded_by=author,
        **post,
    )


def _school_of(author: User) -> School | None:
    """The asker's school (for moderators only); staff ask for no school in particular."""
    if author.role in PROGRAMME_ROLES:
        return None
    membership = (
        SchoolMembership.objects.filter(user=author).select_related("school").order_by("id").first()
    )
    return membership.school if membership else None


def question_ask(
    *,
    author: User,
    category: Category,
    title: str,
    body: str,
    pseudonymous: bool = False,
    private: bool = False,
    image: CleanUpload | None = None,
    idempotency_key=None,
    request: HttpRequest | None = None,
) -> Question:
    """Ask a question: published at once, or held for review with a note why. The same form
    sent twice asks once (before the rate limit: a double tap is not a second post)."""
    earlier = (
        Question.objects.filter(idempotency_key=idempotency_key, author=author)
        if idempotency_key
        else None
    )
    if earlier is not None and (found := earlier.first()) is not None:
        return found
    now = timezone.now()
    check_post_rate(author, now)
    _check_image_allowed(author, image)
    reasons = _hold_reasons(author, title, body, image=image)
    question = Question(
        category=category,
        title=title,
        body=body,
        author=author,
        school=_school_of(author),
        pseudonymous=pseudonymous and permissions.can_use_pseudonym(author),
        private=private,
        status=Status.PENDING if reasons else Status.PUBLISHED,
        published_at=None if reasons else now,
        links_allowed=permissions.may_post_links(author),
        created_at=now,
        idempotency_key=idempotency_key or None,
    )

    def ask() -> Question:
        question.save()
        _attach(image, author, question=question)
        if reasons:
            ModerationNote.objects.create(question=question, action=Action.HELD, reasons=reasons)
        action = "forum_question_held" if reasons else "forum_question_asked"
        audit.record(action, request=request, actor=author, obj=question)
        return question

    return create_once(earlier, ask, looked_up=True)[0]


def _recount_answers(question: Question) -> None:
    """Write down the question's published answers (lists read the count, never count), and
    count its school's forum figure again (an UPDATE: `Question.save` does not). Called
    inside the writer's transaction."""
    published = question.answers.published()
    last = published.order_by("-published_at").values_list("published_at", flat=True).first()
    count = published.count()
    updates = {"answer_count": count, "last_answer_at": last}
    accepted = question.accepted_answer_id
    if accepted and not published.filter(pk=accepted).exists():
        updates["accepted_answer"] = None
    Question.objects.filter(pk=question.pk).update(**updates)
    figures.changed([question.school_id])


def _notify_new_answer(answer: Answer, request: HttpRequest | None) -> None:
    question = answer.question
    if question.author_id == answer.author_id:
        return
    path = reverse("forum:question-detail", args=[question.uid])
    url = link(request, path)
    with override("id"):
        _notify(
            question.author,
            Kind.FORUM_ANSWER,
            _("There is a new answer to your question"),
            _(
                "Someone answered your question in the PEKSOS forum. Open it to read the "
                "answer:\n%(url)s"
            )
            % {"url": url},
            path,
        )


def answer_post(
    *,
    question: Question,
    author: User,
    body: str,
    image: CleanUpload | None = None,
    idempotency_key=None,
    request: HttpRequest | None = None,
) -> Answer:
    """Answer a published question: published at once, or held for review with a note why.
    The same form sent twice answers once."""
    earlier = (
        Answer.objects.filter(idempotency_key=idempotency_key, author=author)
        if idempotency_key
        else None
    )
    if earlier is not None and (found := earlier.first()) is not None:
        return found
    if not question.is_published:
        raise ValidationError(_("This question cannot be answered now."), code="state")
    now = timezone.now()
    check_post_rate(author, now)
    _check_image_allowed(author, image)
    reasons = _hold_reasons(author, body, image=image)
    answer = Answer(
        question=question,
        body=body,
        author=author,
        # The asker answering their own pseudonymous question stays behind the pseudonym.
        pseudonymous=question.pseudonymous and question.author_id == author.pk,
        status=Status.PENDING if reasons else Status.PUBLISHED,
        published_at=None if reasons else now,
        links_allowed=permissions.may_post_links(author),
        created_at=now,
        idempotency_key=idempotency_key or None,
    )

    def post() -> Answer:
        answer.save()
        _attach(image, author, answer=answer)
        if reasons:
            ModerationNote.objects.create(answer=answer, action=Action.HELD, reasons=reasons)
        else:
            _recount_answers(question)
            _notify_new_answer(answer, request)
        action = "forum_answer_held" if reasons else "forum_answer_posted"
        audit.record(action, request=request, actor=author, obj=answer)
        return answer

    return create_once(earlier, post, looked_up=True)[0]


def answer_accept(*, answer: Answer, by: User, request: HttpRequest | None = None) -> None:
    """Mark the accepted answer of its question (replacing any earlier one)."""
    if not answer.is_published or not answer.question.is_published:
        raise ValidationError(_("Only a published answer can be accepted."), code="state")
    with transaction.atomic():
        Question.objects.filter(pk=answer.question_id).update(accepted_answer=answer)
        audit.record("forum_answer_accepted", request=request, actor=by, obj=answer)


def answer_mark_helpful(*, answer: Answer, by: User, request: HttpRequest | None = None) -> bool:
    """Toggle the user's helpful mark on an answer; True when it is now marked."""
    from django.db.models import F

    if not permissions.can_mark_helpful(by, answer):
        raise ValidationError(_("You cannot mark this answer."), code="state")
    with transaction.atomic():
        deleted, _rows = HelpfulMark.objects.filter(answer=answer, user=by).delete()
        if deleted:
            Answer.objects.filter(pk=answer.pk, helpful_count__gt=0).update(
                helpful_count=F("helpful_count") - 1
            )
            marked = False
        else:
            HelpfulMark.objects.create(answer=answer, user=by)
            Answer.objects.filter(pk=answer.pk).update(helpful_count=F("helpful_count") + 1)
            marked = True
        audit.record(
            "forum_helpful_marked" if marked else "forum_helpful_unmarked",
            request=request,
            actor=by,
            obj=answer,
        )
    return marked


# --- Moderation -----------------------------------------------------------------------------


def _locked(post: Post) -> Post:
    return type(post).objects.select_for_update().select_related("author").get(pk=post.pk)


def _note(post: Post, action: str, by: User, text: str = "") -> None:
    target = {"question": post} if isinstance(post, Question) else {"answer": post}
    ModerationNote.objects.create(action=action, text=text, by=by, **target)


def _post_url(post: Post, request: HttpRequest | None) -> str:
    question = post if isinstance(post, Question) else post.question
    return link(request, reverse("forum:question-detail", args=[question.uid]))


def _tell_author(post: Post, subject: str, request: HttpRequest | None) -> None:
    question = post if isinstance(post, Question) else post.question
    with override("id"):
        _notify(
            post.author,
            Kind.APPROVAL_DECIDED,
            str(subject),
            _("A moderator looked at your post in the PEKSOS forum. Open it to see more:\n%(url)s")
            % {"url": _post_url(post, request)},
            reverse("forum:question-detail", args=[question.uid]),
        )


def _kind(post: Post) -> str:
    return "question" if isinstance(post, Question) else "answer"


def post_approve(
    *, post: Post, by: User, text: str = "", request: HttpRequest | None = None
) -> Post:
    """Publish a post that waits for review, or one that was hidden."""
    with transaction.atomic():
        post = _locked(post)
        if post.status not in {Status.PENDING, Status.HIDDEN}:
            raise ValidationError(_("This post is already published or was rejected."))
        post.status = Status.PUBLISHED
        post.published_at = post.published_at or timezone.now()
        post.save(update_fields=["status", "published_at"])
        _note(post, Action.APPROVED, by, text)
        if isinstance(post, Answer):
            _recount_answers(post.question)
            _notify_new_answer(post, request)
        audit.record(f"forum_{_kind(post)}_approved", request=request, actor=by, obj=post)
        with override("id"):
            _tell_author(post, _("Your post in the PEKSOS forum is published"), request)
    return post


def post_reject(*, post: Post, by: User, text: str, request: HttpRequest | None = None) -> Post:
    """Refuse a post that waits for review; the author reads the reason on it."""
    with transaction.atomic():
        post = _locked(post)
        if post.status != Status.PENDING:
            raise ValidationError(_("Only a post waiting for review can be rejected."))
        post.status = Status.REJECTED
        post.save(update_fields=["status"])
        _note(post, Action.REJECTED, by, text)
        audit.record(f"forum_{_kind(post)}_rejected", request=request, actor=by, obj=post)
        with override("id"):
            _tell_author(post, _("Your post in the PEKSOS forum was not published"), request)
    return post


def post_hide(*, post: Post, by: User, text: str, request: HttpRequest | None = None) -> Post:
    """Take a published (or waiting) post out of sight; the author reads the reason on it."""
    with transaction.atomic():
        post = _locked(post)
        if post.status not in {Status.PUBLISHED, Status.PENDING}:
            raise ValidationError(_("This post is already hidden or was rejected."))
        post.status = Status.HIDDEN
        post.save(update_fields=["status"])
        _note(post, Action.HIDDEN, by, text)
        if isinstance(post, Answer):
            _recount_answers(post.question)
        audit.record(f"forum_{_kind(post)}_hidden", request=request, actor=by, obj=post)
        with override("id"):
            _tell_author(post, _("Your post in the PEKSOS forum was hidden"), request)
    return post


# --- Flags ----------------------------------------------------------------------------------

# A published post flagged by this many different users is hidden until a moderator decides.
FLAG_AUTO_HIDE = getattr(settings, "FORUM_FLAG_AUTO_HIDE", 3)
FLAGS_PER_DAY = 20
AUTO_HIDDEN = "auto_hidden_by_flags"


def _post_filter(post: Post) -> dict:
    return {"question": post} if isinstance(post, Question) else {"answer": post}


def post_flag(
    *, post: Post, by: User, reason: str, text: str = "", request: HttpRequest | None = None
) -> Flag:
    """Flag a post (once per user). At FLAG_AUTO_HIDE open flags from different users a
    published post is hidden, pending a moderator's decision; its author is not told who."""
    if not permissions.can_flag(by, post):
        raise ValidationError(_("You cannot flag this post."), code="state")
    since = timezone.now() - timedelta(days=1)
    if Flag.objects.filter(user=by, created_at__gte=since).count() >= FLAGS_PER_DAY:
        raise ValidationError(
            _("You have flagged many posts today. The moderators will look at them first."),
            code="rate",
        )
    target = _post_filter(post)
    with transaction.atomic():
        post = _locked(post)
        target = _post_filter(post)
        if Flag.objects.filter(user=by, **target).exists():
            raise ValidationError(_("You have already flagged this post."), code="duplicate")
        flag = Flag.objects.create(user=by, reason=reason, text=text, **target)
        audit.record(f"forum_{_kind(post)}_flagged", request=request, actor=by, obj=post)
        open_flags = Flag.objects.filter(resolved_at=None, **target).count()
        if post.status == Status.PUBLISHED and open_flags >= FLAG_AUTO_HIDE:
            post.status = Status.HIDDEN
            post.save(update_fields=["status"])
            ModerationNote.objects.create(
                action=Action.HIDDEN,
                reasons=[AUTO_HIDDEN],
                text=_("Several members flagged this post. A moderator will look at it."),
                **target,
            )
            if isinstance(post, Answer):
                _recount_answers(post.question)
            audit.record(f"forum_{_kind(post)}_auto_hidden", request=request, actor=None, obj=post)
    return flag


def flags_resolve(
    *, post: Post, by: User, hide: bool, text: str = "", request: HttpRequest | None = None
) -> int:
    """Close the open flags of a post: hide it (with a reason for the author) or keep it
    (a post hidden only by the flags is shown again). Returns the number of flags closed."""
    now = timezone.now()
    with transaction.atomic():
        post = _locked(post)
        target = _post_filter(post)
        open_flags = Flag.objects.filter(resolved_at=None, **target)
        if not open_flags.exists():
            raise ValidationError(_("This post has no open flags."), code="state")
        resolution = Flag.Resolution.HIDDEN if hide else Flag.Resolution.KEPT
        closed = open_flags.update(resolution=resolution, resolved_by=by, resolved_at=now)
        last = post.notes.order_by("-created_at", "-id").first()
        auto_hidden = (
            post.status == Status.HIDDEN and last is not None and AUTO_HIDDEN in last.reasons
        )
        if hide:
            if post.status in {Status.PUBLISHED, Status.PENDING} or auto_hidden:
                post.status = Status.HIDDEN
                post.save(update_fields=["status"])
                _note(post, Action.HIDDEN, by, text)
                if isinstance(post, Answer):
                    _recount_answers(post.question)
                with override("id"):
                    _tell_author(post, _("Your post in the PEKSOS forum was hidden"), request)
        elif auto_hidden:
            post.status = Status.PUBLISHED
            post.save(update_fields=["status"])
            _note(post, Action.APPROVED, by, text)
            if isinstance(post, Answer):
                _recount_answers(post.question)
        action = "hidden" if hide else "kept"
        audit.record(f"forum_flags_{action}", request=request, actor=by, obj=post)
    return closed


# --- Reminders ------------------------------------------------------------------------------


def forum_staff_recipients() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role__in=[Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG]
        ).exclude(email="")
    )


def remind_unanswered(*, now=None, after: timedelta = UNANSWERED_AFTER) -> int:
    """Tell the staff how many questions wait for an answer; each question counts once.

    Questions are claimed with a conditional UPDATE, so a task run twice (a redelivered
    message) reminds about nothing twice. The e-mail holds a count and a link, no titles.
    """
    now = now or timezone.now()
    due = list(Question.objects.due_for_reminder(now - after).values_list("pk", flat=True)[:1000])
    if not due:
        return 0
    with transaction.atomic():
        claimed = Question.objects.filter(pk__in=due, reminded_at=None).update(reminded_at=now)
        if not claimed:
            return 0
        url = link(None, reverse("forum:question-list") + "?tampil=belum-dijawab")
        with override("id"):
            subject = _("Questions in the forum are waiting for an answer")
            body = _(
                "%(count)s question(s) in the PEKSOS forum have had no answer for %(days)s "
                "day(s). Please look at the unanswered questions:\n%(url)s"
            ) % {"count": claimed, "days": after.days, "url": url}
            for user in forum_staff_recipients():
                email_user(user, subject, body)
        audit.record("forum_unanswered_reminded", object_type=Question._meta.label_lower)
    return claimed
