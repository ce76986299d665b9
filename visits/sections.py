"""Sections that apps on the floors above add to a visit's page.

The visits app imports none of them: the activities app, for one, registers its "Activities"
section in its AppConfig.ready. A section is a template and a function of (visit, user) that
returns the template's context.
"""

from collections.abc import Callable
from dataclasses import dataclass

from peksos.accounts.models import User

from .models import Visit


@dataclass(frozen=True)
class VisitSection:
    template: str
    context: Callable[[Visit, User], dict]


_SECTIONS: list[VisitSection] = []


def register(template: str, context: Callable[[Visit, User], dict]) -> None:
    """Add a section to every visit page (once per template, whatever the reloads)."""
    if all(section.template != template for section in _SECTIONS):
        _SECTIONS.append(VisitSection(template, context))


def sections_for(visit: Visit, user: User) -> tuple[list[str], dict]:
    """The templates to include on this visit's page, and their context merged."""
    context: dict = {}
    for section in _SECTIONS:
        context.update(section.context(visit, user))
    return [section.template for section in _SECTIONS], context
