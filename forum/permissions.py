"""Who may see and do what in the consultation forum. This is what an auditor reads.

- The forum is for signed-in, active accounts of every role; the public has no access.
- A published, public question and its published answers are visible to every forum user in
  the city. The asker's school is never shown on a post, except to moderators: a school
  together with an incident can identify a child (docs/domain.md §5).
- A private question is visible only to its asker and to the programme's staff in the forum
  (Koordinator, PEKSOS, Psikolog). Everyone else gets 404: its existence is not confirmed.
- A post waiting for review, not published, or hidden is visible to its author (with the note
  saying why) and to the moderators; 404 for everyone else.
- Moderators are the Koordinators and the PEKSOS: they see the review queue, approve, reject
  and hide posts, and see who wrote under a pseudonym. Anyone else: 403 on those pages.
- Parents and teachers may ask under a pseudonym: other users see "Orang tua" or "Guru"; the
  author and the moderators see the name.
- Any forum user may answer a published question they can see, and mark another person's
  published answer as helpful (once). The asker and the staff (Koordinator, PEKSOS,
  Psikolog) may mark an answer as accepted; others get 403.
- Photos in posts: not from new accounts (same rule as links); a post with a photo always
  waits for a moderator. A photo is served only to someone who may see its post (404 else).
- New accounts (fewer than `TRUSTED_AFTER_POSTS` published posts, or younger than
  `TRUSTED_AFTER_DAYS`) have their links shown as plain text; their first
  `REVIEWED_FIRST_POSTS` posts wait for a moderator. Programme staff accounts are made by the
  Dinas and are exempt.
- Flags: any forum user may flag a published post of someone else that they can see, once.
  Moderators see the flag queue and resolve the flags (hide or keep); others get 403.
- FAQ: published entries are for every forum user. The staff (Koordinator, PEKSOS, Psikolog)
  write drafts (from a private question they can see, or from scratch), see and edit drafts;
  a moderator other than the writer publishes or withdraws them. Others: 404 on drafts, 403
  on the staff pages. The source question of an entry is shown to the staff only.
- Invitation codes: the Koordinator for every school, a PEKSOS for the schools they serve;
  other roles that may see the school in the register get 403, the rest 404.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peksos.accounts.models import PROGRAMME_ROLES, Role, User
from schools.models import School
from schools.permissions import get_school_for_user, serves_school

from .models import Answer, FaqEntry, InviteCode, Post, Question

FORUM_STAFF_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG})
MODERATOR_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS})
PSEUDONYM_ROLES = frozenset({Role.ORANG_TUA, Role.GURU})
PSEUDONYM_LABELS = {Role.ORANG_TUA: gettext_lazy("Parent"), Role.GURU: gettext_lazy("Teacher")}

REVIEWED_FIRST_POSTS = 2
TRUSTED_AFTER_POSTS = 3
TRUSTED_AFTER_DAYS = 7


def may_use_forum(user: User) -> bool:
    """Every active account has the forum."""
    return user.is_authenticated and user.is_active


def is_forum_staff(user: User) -> bool:
    return may_use_forum(user) and user.role in FORUM_STAFF_ROLES


def can_moderate(user: User) -> bool:
    return may_use_forum(user) and user.role in MODERATOR_ROLES


def require_moderator(user: User) -> None:
    if not can_moderate(user):
        raise PermissionDenied


# --- Questions and answers ------------------------------------------------------------------


def questions_visible_to(user: User) -> QuerySet[Question]:
    if not may_use_forum(user):
        return Question.objects.none()
    if can_moderate(user):
        return Question.objects.all()
    published = Q(status=Post.Status.PUBLISHED)
    if user.role not in FORUM_STAFF_ROLES:
        published &= Q(private=False)
    return Question.objects.filter(published | Q(author=user))


def listed_questions(user: User, *, mine: bool = False) -> QuerySet[Question]:
    """The questions of the list pages: published ones (private ones for staff only), or the
    user's own in any state. Each is a plain filter an index serves (no OR)."""
    if not may_use_forum(user):
        return Question.objects.none()
    if mine:
        return Question.objects.by(user)
    questions = Question.objects.published()
    return questions if is_forum_staff(user) else questions.public()


def get_question_for_user(user: User, uid) -> Question:
    try:
        return (
            questions_visible_to(user).select_related("author", "category", "school").get(uid=uid)
        )
    except Question.DoesNotExist:
        raise Http404 from None


def answers_visible_to(user: User, question: Question) -> QuerySet[Answer]:
    """The answers of a question the user can see (the question itself was checked)."""
    answers = question.answers.all()
    if can_moderate(user):
        return answers
    return answers.filter(Q(status=Post.Status.PUBLISHED) | Q(author=user))


def get_answer_for_user(user: User, uid) -> Answer:
    try:
        answer = Answer.objects.select_related("question", "author").get(uid=uid)
    except Answer.DoesNotExist:
        raise Http404 from None
    if not questions_visible_to(user).filter(pk=answer.question_id).exists():
        raise Http404
    if not answers_visible_to(user, answer.question).filter(pk=answer.pk).exists():
        raise Http404
    return answer


def can_answer(user: User, question: Question) -> bool:
    return may_use_forum(user) and question.is_published


def can_accept(user: User, question: Question) -> bool:
    if not question.is_published:
        return False
    return question.author_id == user.pk or is_forum_staff(user)


def can_mark_helpful(user: User, answer: Answer) -> bool:
    return answer.is_published and answer.author_id != user.pk


def can_use_pseudonym(user: User) -> bool:
    return user.role in PSEUDONYM_ROLES


def sees_identity(viewer: User, post: Post) -> bool:
    """Whether the viewer sees the real name behind a pseudonymous post."""
    return post.author_id == viewer.pk or can_moderate(viewer)


def author_label(post: Post, viewer: User) -> str:
    """The name shown for a post's author to this viewer."""
    author = post.author
    name = author.first_name.strip() or author.username
    if not post.pseudonymous:
        return name
    pseudonym = str(PSEUDONYM_LABELS.get(author.role, PSEUDONYM_LABELS[Role.ORANG_TUA]))
    if post.author_id == viewer.pk:
        return _("%(name)s (others see “%(pseudonym)s”)") % {"name": name, "pseudonym": pseudonym}
    if can_moderate(viewer):
        return _("%(name)s (under the pseudonym “%(pseudonym)s”)") % {
            "name": name,
            "pseudonym": pseudonym,
        }
    return pseudonym


def can_flag(user: User, post: Post) -> bool:
    return may_use_forum(user) and post.is_published and post.author_id != user.pk


# --- FAQ ------------------------------------------------------------------------------------


def can_write_faq(user: User) -> bool:
    return is_forum_staff(user)


def require_faq_writer(user: User) -> None:
    if not can_write_faq(user):
        raise PermissionDenied


def faq_visible_to(user: User) -> QuerySet[FaqEntry]:
    if not may_use_forum(user):
        return FaqEntry.objects.none()
    if is_forum_staff(user):
        return FaqEntry.objects.all()
    return FaqEntry.objects.published()


def get_faq_for_user(user: User, uid) -> FaqEntry:
    try:
        return faq_visible_to(user).select_related("category").get(uid=uid)
    except FaqEntry.DoesNotExist:
        raise Http404 from None


def get_faq_source_for_user(user: User, uid) -> Question:
    """The question an FAQ entry is written from: one the staff member can see (404 else),
    a published answer needed (404 else: there is nothing to learn from yet)."""
    require_faq_writer(user)
    question = get_question_for_user(user, uid)
    if not question.answers.published().exists():
        raise Http404
    return question


# --- New accounts ---------------------------------------------------------------------------


def published_post_count(user: User) -> int:
    return (
        Question.objects.by(user).published().count() + Answer.objects.by(user).published().count()
    )


def is_exempt_from_new_account_rules(user: User) -> bool:
    return user.role in PROGRAMME_ROLES


def needs_review(user: User) -> bool:
    """Whether the user's next post waits for a moderator because the account is new."""
    if is_exempt_from_new_account_rules(user):
        return False
    return published_post_count(user) < REVIEWED_FIRST_POSTS


def may_post_links(user: User) -> bool:
    if is_exempt_from_new_account_rules(user):
        return True
    if user.date_joined > timezone.now() - timedelta(days=TRUSTED_AFTER_DAYS):
        return False
    return published_post_count(user) >= TRUSTED_AFTER_POSTS


def may_post_images(user: User) -> bool:
    """The same trust as links: new accounts post neither."""
    return may_post_links(user)


# --- Invitation codes -----------------------------------------------------------------------


def get_school_for_invite_codes(user: User, npsn: str) -> School:
    """The school whose codes the user manages: 404 if they may not see it, 403 if they may
    see it but not manage its codes."""
    school = get_school_for_user(user, npsn)
    if not can_manage_invite_codes(user, school):
        raise PermissionDenied
    return school


def can_manage_invite_codes(user: User, school: School) -> bool:
    if not may_use_forum(user):
        return False
    if user.role == Role.KOORDINATOR:
        return True
    return user.role == Role.PEKSOS and serves_school(user, school)


def get_invite_code_for_user(user: User, pk: int) -> InviteCode:
    try:
        code = InviteCode.objects.select_related("school").get(pk=pk)
    except InviteCode.DoesNotExist:
        raise Http404 from None
    get_school_for_invite_codes(user, code.school.npsn)
    return code
