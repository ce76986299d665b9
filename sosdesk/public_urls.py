"""The public side of the SOS Desk: no account, optionally anonymous."""

from django.urls import path

from .views import public

app_name = "lapor"

urlpatterns = [
    path("", public.report_start, name="start"),
    path("terkirim/", public.report_receipt, name="receipt"),
    path("lacak/", public.track_login, name="track"),
    path("lacak/kasus/", public.track_case, name="track-case"),
    path("lacak/keluar/", public.track_logout, name="track-logout"),
    path("<str:public_code>/", public.report_form, name="form"),
]
