from django.urls import path

from .views import agreement, compliance, create, feeds, plan, recorded, staff, visits

app_name = "visits"

urlpatterns = [
    path("", visits.visit_list, name="visit-list"),
    path("baru/", create.visit_create, name="visit-create"),
    path("bulan/", visits.visit_month, name="visit-month"),
    path("minggu/", visits.visit_week, name="visit-week"),
    path("persetujuan/", agreement.visit_agreement, name="visit-agreement"),
    path("kepatuhan/", compliance.compliance_board, name="compliance-board"),
    path("rencana/", plan.plan_create, name="plan-create"),
    path("rencana/<int:pk>/", plan.plan_detail, name="plan-detail"),
    path("kapasitas/", staff.capacity_list, name="capacity-list"),
    path("kapasitas/<int:user_id>/", staff.capacity_edit, name="capacity-edit"),
    path("kapasitas/<int:user_id>/cuti/", staff.leave_create, name="leave-create"),
    path("cuti/<int:pk>/hapus/", staff.leave_delete, name="leave-delete"),
    path("kalender/", feeds.feed_detail, name="feed-detail"),
    path("kalender/baru/", feeds.feed_create, name="feed-create"),
    path("kalender/cabut/", feeds.feed_revoke, name="feed-revoke"),
    path("kalender/<str:token>.ics", feeds.feed_ics, name="feed-ics"),
    path("<int:pk>/", visits.visit_detail, name="visit-detail"),
    path("<int:pk>/pindah/", visits.visit_move, name="visit-move"),
    path("<int:pk>/kunci/", visits.visit_lock, name="visit-lock"),
    path("<int:pk>/buka-kunci/", visits.visit_unlock, name="visit-unlock"),
    path("<int:pk>/selesai/", visits.visit_done, name="visit-done"),
    path("<int:pk>/batal/", visits.visit_cancel, name="visit-cancel"),
    path("<int:pk>/setujui/", agreement.visit_accept, name="visit-accept"),
    path("<int:pk>/usul-tanggal/", agreement.visit_counter, name="visit-counter"),
    path("<int:pk>/terima-usulan/", agreement.visit_counter_accept, name="visit-counter-accept"),
    path("<int:pk>/catat-persetujuan/", recorded.agreement_record, name="agreement-record"),
    path("<int:pk>/surat-persetujuan/", recorded.agreement_letter, name="agreement-letter"),
    path("<int:pk>/usul-lain/", agreement.visit_suggest, name="visit-suggest"),
]
