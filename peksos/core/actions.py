"""The end of every small action view: run the one service step, say how it went, redirect."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def run_step(
    request: HttpRequest, step: Callable[[], object], done: str, to: str, **to_kwargs
) -> HttpResponse:
    """Run `step`; a refusal from the service (ValidationError) becomes an error message with
    its reasons, success becomes `done`; then Post/Redirect/Get to the named URL."""
    try:
        step()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(to, **to_kwargs)
