"""Sections that apps on the floors above add to a case's procedure page.

The SOS Desk imports none of them: monitoring, for one, registers the progress of the
children's records opened from the case in its AppConfig.ready. A section is a template and a
function of (case, user) that returns the template's context.
"""

from collections.abc import Callable
from dataclasses import dataclass

from peksos.accounts.models import User

from ..models import Case


@dataclass(frozen=True)
class CaseSection:
    template: str
    context: Callable[[Case, User], dict]


_SECTIONS: list[CaseSection] = []


def register(template: str, context: Callable[[Case, User], dict]) -> None:
    """Add a section to every case's procedure page (once per template)."""
    if all(section.template != template for section in _SECTIONS):
        _SECTIONS.append(CaseSection(template, context))


def sections_for(case: Case, user: User) -> tuple[list[str], dict]:
    context: dict = {}
    for section in _SECTIONS:
        context.update(section.context(case, user))
    return [section.template for section in _SECTIONS], context
