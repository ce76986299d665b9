"""WeasyPrint, fenced in: PDFs are rendered only in workers, and fetch nothing but `data:` URIs
and the project's own static files (docs/design.md §5, docs/quality.md S8).

WeasyPrint's default fetcher follows `file://` and `http(s)://` URLs found in the HTML or CSS.
Report HTML is built from templates with autoescaping, so text from users (school names, ...)
never becomes markup; the fetcher is the second fence should it ever do. It records what it
served and what it refused, so tests can prove that nothing else was fetched.
"""

import logging
import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# WeasyPrint logs every layout step at INFO (from its import on): it would drown the worker's.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A URL outside the allowlist (WeasyPrint logs it and leaves the resource out)."""


def static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT), *(Path(str(d)) for d in settings.STATICFILES_DIRS)]
    return [Path(os.path.realpath(root)) for root in roots]


def static_uri(name: str) -> str:
    """A `file://` URI of one of the project's static files, for the PDF templates."""
    path = finders.find(name)
    if not path:
        raise FileNotFoundError(name)
    return Path(os.path.realpath(path)).as_uri()


class StaticOnlyFetcher(URLFetcher):
    """Serves `data:` URIs and files inside STATIC_ROOT / STATICFILES_DIRS; refuses the rest."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=1)
        self.served: list[str] = []
        self.refused: list[str] = []
        self._roots = static_roots()

    def _refuse(self, url: str) -> RefusedURL:
        self.refused.append(url)
        log.warning("PDF fetch refused: %s", url[:200])
        return RefusedURL(f"not allowed in a report: {url[:200]}")

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            self.served.append(url[:40])
            return super().fetch(url, headers)
        if scheme != "file":
            raise self._refuse(url)
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url)
        path = Path(os.path.realpath(unquote(parts.path)))
        if not any(path.is_relative_to(root) for root in self._roots) or not path.is_file():
            raise self._refuse(url)
        self.served.append(path.as_uri())
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def render_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """The PDF of `html`. Call it from a worker, never from a request."""
    fetcher = fetcher or StaticOnlyFetcher()
    base = Path(os.path.realpath(str(settings.STATICFILES_DIRS[0]))).as_uri() + "/"
    return HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf()
