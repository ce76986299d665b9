"""An HTML scanner for executable constructs (docs/quality.md S7), used by the forum's XSS tests."""

import re
from html import unescape
from html.parser import HTMLParser


class ExecutableFinder(HTMLParser):
    """Scripts not served by the app, event-handler attributes, javascript: URLs, and
    elements that run or embed code."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}:
                target = re.sub(r"[\s\x00-\x1f]", "", unescape(value or "")).lower()
                if target.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.found.append(f"<{tag} {name}={value}>")
            if name == "style" and "expression(" in (value or "").lower():
                self.found.append(f"<{tag} style=expression>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.found.append("<script> not from /static/")
        embedding = tag in {
            "iframe",
            "object",
            "embed",
            "applet",
            "svg",
            "math",
            "base",
            "frameset",
        }
        if embedding or (tag == "meta" and not self._is_page_meta(attrs)):
            self.found.append(f"<{tag}>")

    @staticmethod
    def _is_page_meta(attrs) -> bool:
        names = {name for name, _ in attrs}
        return bool(names & {"charset", "name"}) and "http-equiv" not in names


def executable_constructs(html: str) -> list[str]:
    finder = ExecutableFinder()
    finder.feed(html)
    return finder.found
