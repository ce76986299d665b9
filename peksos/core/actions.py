"""The end of every small action view: run the one service step, say how it went, redirect.

A form may carry `next` (a path of this site, e.g. the approvals inbox `/persetujuan/`): the
person then returns there instead of the record's page. Anything else in `next` is ignored."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest) -> str | None:
    """The POSTed `next` if it is a path on this site, else None."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def back_to(request: HttpRequest, to: str, **to_kwargs) -> HttpResponse:
    """Redirect to a safe `next`, or else to the named URL."""
    target = safe_next(request)
    return redirect(target) if target else redirect(to, **to_kwargs)


def run_step(
    request: HttpRequest, step: Callable[[], object], done: str, to: str, **to_kwargs
) -> HttpResponse:
    """Run `step`; a refusal from the service (ValidationError) becomes an error message with
    its reasons, success becomes `done`; then Post/Redirect/Get to `next` or the named URL."""
    try:
        step()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return back_to(request, to, **to_kwargs)
