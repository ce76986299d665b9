"""The pages every logged-in person has: the role's home page (a dashboard of figures that link
to the lists behind them) and the help of their own role."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import select_template
from django.views.decorators.http import require_safe

from schools.permissions import schools_served_by

from . import dashboards


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    dashboard = dashboards.for_user(user)
    schools = dashboard.schools
    if schools is None and not user.is_koordinator:
        schools = list(schools_served_by(user).select_related("kecamatan").order_by("name")[:20])
    context = {
        "role_template": f"home/roles/_{user.role}.html",
        "schools": None if user.is_koordinator else schools,
        "dashboard": dashboard,
    }
    return render(request, "home/home.html", context)


@require_safe
@login_required
def help_page(request: HttpRequest) -> HttpResponse:
    """The help of the user's own role: its tasks step by step, with screenshots taken by the
    browser tests (tests/browser/test_journeys_browser.py, PEKSOS_HELP_SHOTS=1). Long prose lives in
    one template per role and language (home/help/<role>.<lang>.html, Indonesian first)."""
    role = request.user.role
    language = (request.LANGUAGE_CODE or "id").split("-")[0]
    names = [f"home/help/{role}.{language}.html", f"home/help/{role}.id.html"]
    context = {"role_help": select_template(names).template.name, "role": role}
    return render(request, "home/help.html", context)
