"""The fenced WeasyPrint renderer lives in `peksos.core.pdf` (floor 1) so that the SOS Desk's
documents use the same fence; the reports import it from here as before."""

from peksos.core.pdf import (  # noqa: F401
    RefusedURL,
    StaticOnlyFetcher,
    render_pdf,
    static_roots,
    static_uri,
)
