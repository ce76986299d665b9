from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("minta/", views.report_create, name="report-create"),
    path("<uuid:pk>/", views.report_detail, name="report-detail"),
    path("<uuid:pk>/unduh/", views.report_download, name="report-download"),
    path("<uuid:pk>/ulang/", views.report_run_again, name="report-run-again"),
    path("<uuid:pk>/angka.csv", views.report_csv, name="report-csv"),
    path("<uuid:pk>/angka.xlsx", views.report_xlsx, name="report-xlsx"),
]
