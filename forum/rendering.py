"""Forum posts: a Markdown subset turned into HTML, then sanitised with nh3.

What people can write: paragraphs and line breaks, **bold**, *italic*, lists, > quotes,
`code` and indented code blocks, and [links](https://...) — http and https only, with
rel="nofollow noopener ugc". No raw HTML (it is shown as typed), no images, no headings.
Links of new accounts are shown as plain text (the post's `links_allowed`, decided when it
was written). Rendering happens when the post is shown, so a change of these rules applies to
every post at once; nh3 is the last word on what reaches the page, whatever Markdown made.
"""

import threading

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a"}
LINK_REL = "nofollow noopener ugc"
MAX_LENGTH = 20_000  # longer than any form accepts: a bound on work for stored text

_LINK_PATTERNS = ("reference", "link", "short_reference", "autolink")
_ALWAYS_OFF_INLINE = ("html", "image_link", "image_reference", "short_image_ref", "automail")
_ALWAYS_OFF_BLOCK = ("hashheader", "setextheader", "hr")


def _converter(*, links: bool) -> markdown.Markdown:
    md = markdown.Markdown(extensions=["nl2br", "sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    for name in _ALWAYS_OFF_INLINE + (() if links else _LINK_PATTERNS):
        md.inlinePatterns.deregister(name)
    for name in _ALWAYS_OFF_BLOCK + (() if links else ("reference",)):
        md.parser.blockprocessors.deregister(name)
    return md


_local = threading.local()


def _cached_converter(*, links: bool) -> markdown.Markdown:
    """One converter per thread and link policy: building one costs more than using it, and
    a Markdown instance must not be shared between threads."""
    cache = getattr(_local, "converters", None)
    if cache is None:
        cache = _local.converters = {}
    if links not in cache:
        cache[links] = _converter(links=links)
    return cache[links].reset()


def _keep_web_links(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        target = value.strip()
        return target if target.lower().startswith(("http://", "https://")) else None
    return value


def sanitise(html: str, *, links: bool = True) -> str:
    tags = ALLOWED_TAGS if links else ALLOWED_TAGS - {"a"}
    return nh3.clean(
        html,
        tags=tags,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}, "*": set()} if links else {"*": set()},
        attribute_filter=_keep_web_links,
        link_rel=LINK_REL if links else None,
        url_schemes={"http", "https"},
        strip_comments=True,
    )


def render(text: str, *, links: bool) -> SafeString:
    """The post's text as safe HTML."""
    html = _cached_converter(links=links).convert((text or "")[:MAX_LENGTH].replace("\x00", ""))
    # Not an XSS: nh3 sanitised it just above (tests/forum/test_forum_xss.py runs the XSS corpus).
    return mark_safe(sanitise(html, links=links))  # noqa: S308  # nosec B308 B703
