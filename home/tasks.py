"""Thin Celery task of the home pages' register-wide figures (beat: the missing parts every 30
minutes, all of them nightly)."""

from datetime import date

from celery import shared_task

from . import dashboards


@shared_task(name="home.tasks.refresh_register_aggregates")
def refresh_register_aggregates(
    everything: bool = False, year: int | None = None, start: str = "", end: str = ""
) -> int | None:
    """Celery beat: the register-wide figures' missing parts every 30 minutes, all of them
    nightly; a page that found them missing asks for its own (a school `year` of the
    compliance board, a period of the case figures: ISO dates). See
    `dashboards.refresh_register_aggregates`."""
    return dashboards.refresh_register_aggregates(
        everything=everything,
        year=year,
        start=date.fromisoformat(start) if start else None,
        end=date.fromisoformat(end) if end else None,
    )
