"""/pengguna/staf/cari/: the JSON search behind the staff filters of the visit and activity lists
(`peksos.core.forms.LongModelChoiceField`). It finds the active programme staff who do visits
and activities (PEKSOS, psychologists, social companions): exactly the people those filters
list. Only the programme's roles may search, the roles those lists give a staff filter to
(visits: `staff_filter_allowed`, activities: `PROGRAMME_STAFF`); the school side gets 403.
Staff names are shown to staff on every visit and activity page: no audit row."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from peksos.accounts.models import PROGRAMME_ROLES, Role, User
from peksos.core.search import search_response

SEARCHED_ROLES = (Role.PEKSOS, Role.PSIKOLOG, Role.PENDAMPING)


def staff_label(user: User) -> str:
    return f"{user} ({user.get_role_display()})"


@require_safe
@login_required
def staff_search(request: HttpRequest) -> JsonResponse:
    user = request.user
    if not (user.is_active and user.role in PROGRAMME_ROLES):
        raise PermissionDenied
    rows = User.objects.filter(is_active=True, role__in=SEARCHED_ROLES)
    return search_response(
        request,
        rows.order_by("first_name", "username"),
        fields=("first_name", "last_name", "username"),
        value=lambda u: u.pk,
        text=staff_label,
    )
