"""Fixtures of the SOS Desk tests."""

import pytest


@pytest.fixture
def desk_team(sosdesk_citra_sdn1, peksos_budi) -> list[str]:
    """The school's desk officer and PEKSOS: the people alerted about a new report."""
    return sorted([sosdesk_citra_sdn1.email, peksos_budi.email])
