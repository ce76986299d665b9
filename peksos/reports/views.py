"""Role home pages (floor 5: dashboards grow here as the feature apps land)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from schools.permissions import schools_served_by


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    schools = schools_served_by(user).select_related("kecamatan")
    context = {
        "role_template": f"reports/home/_{user.role}.html",
        "schools": None if user.is_koordinator else list(schools.order_by("name")[:20]),
        "school_count": schools.count(),
    }
    return render(request, "reports/home.html", context)
