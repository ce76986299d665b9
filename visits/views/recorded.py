"""A school's agreement recorded by the programme: when a school agrees by phone, letter,
message or in person, the Koordinator or a PEKSOS serving the school records who agreed, how
and when, with an optional scanned letter. The letter is downloaded only through
`agreement_letter` (permission check, an audit row, always as a download)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from peksos.core import audit
from peksos.core.refusals import Refusal
from peksos.core.uploads import attachment_response

from .. import services
from ..forms import AgreementForm
from ..models import VisitAgreement
from ..permissions import can_download_agreement_letter, can_record_agreement, get_visit_for_user


@require_http_methods(["GET", "POST"])
@login_required
def agreement_record(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk, check=can_record_agreement)
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_agreement_record(
                visit=visit,
                contact_name=data["contact_name"],
                contact_position=data["contact_position"],
                channel=data["channel"],
                agreed_on=data["agreed_on"],
                letter=data["letter"],
                by=request.user,
                request=request,
            )
        except Refusal as exc:
            for error in exc.messages:
                form.add_error(None, error)
        else:
            messages.success(request, _("The school's agreement is recorded: the visit is agreed."))
            return redirect("visits:visit-detail", pk=visit.pk)
    return render(request, "visits/agreement_record.html", {"visit": visit, "form": form})


@require_safe
@login_required
def agreement_letter(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk, check=can_download_agreement_letter)
    agreement = VisitAgreement.objects.filter(visit=visit).exclude(letter="").first()
    if agreement is None:
        raise Http404
    try:
        response = attachment_response(
            agreement.letter, agreement.letter_name, agreement.letter_type
        )
    except FileNotFoundError:
        raise Http404 from None
    audit.record("visit_agreement_letter_downloaded", request=request, obj=visit)
    return response
