"""A photo of a question or answer, served only to someone who may see the post (404 for
everyone else, the same as the post itself), always as a download with the safe headers of
peksos.core.uploads.attachment_response (an <img> still shows it)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from peksos.core.uploads import attachment_response

from ..models import PostImage
from ..permissions import get_answer_for_user, get_question_for_user


@require_safe
@login_required
def post_image(request: HttpRequest, uid) -> HttpResponse:
    image = PostImage.objects.select_related("question", "answer").filter(uid=uid).first()
    if image is None:
        raise Http404
    if image.question_id:
        get_question_for_user(request.user, image.question.uid)
    else:
        get_answer_for_user(request.user, image.answer.uid)
    try:
        return attachment_response(image.file, image.display_name, image.content_type)
    except FileNotFoundError:
        raise Http404 from None
