from django.urls import path

from . import follow_up_views, guardian_views, views

app_name = "monitoring"

urlpatterns = [
    path("", views.record_list, name="record-list"),
    path("baru/", views.record_create, name="record-create"),
    path("anak/<str:code>/", views.record_detail, name="record-detail"),
    path("anak/<str:code>/nama/", views.record_reveal, name="record-reveal"),
    path("anak/<str:code>/tutup/", views.record_close, name="record-close"),
    path("anak/<str:code>/tutup/setujui/", views.record_close_approve, name="record-close-approve"),
    path("anak/<str:code>/tutup/tolak/", views.record_close_reject, name="record-close-reject"),
    path("anak/<str:code>/pengamatan/", views.observation_request, name="observation-request"),
    path(
        "anak/<str:code>/pengamatan/<uuid:pk>/batal/",
        views.observation_cancel,
        name="observation-cancel",
    ),
    path("anak/<str:code>/wali/", guardian_views.guardian_link, name="guardian-link"),
    path(
        "anak/<str:code>/kunjungan/",
        follow_up_views.record_follow_up_visit,
        name="record-follow-up-visit",
    ),
    path(
        "anak/<str:code>/wali/<uuid:pk>/akhiri/",
        guardian_views.guardian_end,
        name="guardian-end",
    ),
    path("pengamatan/", views.observation_list, name="observation-list"),
    path("pengamatan/<uuid:pk>/", views.observation_fill, name="observation-fill"),
    path("anak/<str:code>/rujuk/", views.record_refer, name="record-refer"),
    path("anak/<str:code>/persetujuan/", views.consent_add, name="consent-add"),
    path("anak/<str:code>/pengecualian/", views.consent_override, name="consent-override"),
    path(
        "anak/<str:code>/persetujuan/<uuid:pk>/cabut/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path(
        "anak/<str:code>/persetujuan/<uuid:pk>/berkas/",
        views.consent_form_file,
        name="consent-file",
    ),
    path("anak/<str:code>/rencana/", views.plan_save, name="plan-save"),
    path("anak/<str:code>/rencana/setujui/", views.plan_approve, name="plan-approve"),
    path("anak/<str:code>/tujuan/", views.goal_add, name="goal-add"),
    path("anak/<str:code>/tujuan/skor/", views.goal_score, name="goal-score"),
    path("anak/<str:code>/intervensi/", views.intervention_add, name="intervention-add"),
    path("anak/<str:code>/catatan/", views.note_add, name="note-add"),
    path("anak/<str:code>/sdq/", views.sdq_add, name="sdq-add"),
    path("anak/<str:code>/kesejahteraan/", views.wellbeing_add, name="wellbeing-add"),
]
