"""Building an impact report: one module per section (`schools`, `visits`, `activities`,
`cases`, `children`, `forum`, `appendix`) on the shared pieces of `base`, and the `runner`
that claims a report, builds its sections, renders the HTML and the PDF and writes the file."""

from .base import THRESHOLD, Scope, Section, Table  # noqa: F401
from .runner import (  # noqa: F401
    STEPS,
    SectionFailed,
    Step,
    claim,
    figures_json,
    plan,
    render_html,
    run,
    write_file,
)
