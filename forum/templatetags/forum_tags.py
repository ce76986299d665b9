from django import template
from django.utils.safestring import SafeString

from .. import rendering

register = template.Library()


@register.filter
def post_html(post) -> SafeString:
    """A question's or answer's text as sanitised HTML (see forum.rendering)."""
    return rendering.render(post.body, links=post.links_allowed)


@register.filter
def text_html(text: str) -> SafeString:
    """Staff-written text (FAQ entries) as sanitised HTML, links allowed."""
    return rendering.render(text or "", links=True)
