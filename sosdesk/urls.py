from django.urls import path

from .views import cases, desk, figures, protection
from .views import procedure_handover as handover
from .views import procedure_page as procedure
from .views import procedure_steps as steps

app_name = "sosdesk"

urlpatterns = [
    path("", cases.case_list, name="case-list"),
    path("terlambat/", cases.overdue_board, name="case-overdue"),
    path("tenggat/", cases.deadlines_edit, name="deadlines-edit"),
    path("angka/", figures.case_figures, name="case-figures"),
    path("kasus/<str:code>/", cases.case_detail, name="case-detail"),
    path("kasus/<str:code>/triase/", cases.case_triage, name="case-triage"),
    path("kasus/<str:code>/status/", cases.case_status, name="case-status"),
    path("kasus/<str:code>/catatan/", cases.case_note_add, name="case-note"),
    path("kasus/<str:code>/lampiran/<uuid:pk>/", cases.case_attachment, name="case-attachment"),
    path("kasus/<str:code>/pesan/", cases.case_message_add, name="case-message"),
    path("kasus/<str:code>/rujuk/", cases.case_refer, name="case-refer"),
    path("kasus/<str:code>/polisi/", cases.case_police, name="case-police"),
    path("kasus/<str:code>/akses/", cases.case_access_log, name="case-access-log"),
    path("kasus/<str:code>/perlindungan/", protection.case_protection, name="case-protection"),
    path("kasus/<str:code>/batasi/", protection.case_restrict, name="case-restrict"),
    path("kasus/<str:code>/buka-batas/", protection.case_unrestrict, name="case-unrestrict"),
    path("kasus/<str:code>/petugas/", protection.case_handler_add, name="case-handler-add"),
    path("kasus/<str:code>/mundur/", protection.case_recuse, name="case-recuse"),
    # The PPKSP procedure (sosdesk/procedure/, views/procedure_*.py).
    path("kasus/<str:code>/prosedur/", procedure.case_procedure, name="case-procedure"),
    path("kasus/<str:code>/prosedur/pihak/", steps.party_add, name="party-add"),
    path(
        "kasus/<str:code>/prosedur/pihak/<uuid:pk>/nama/", steps.party_reveal, name="party-reveal"
    ),
    path("kasus/<str:code>/prosedur/wawancara/", steps.interview_plan, name="interview-plan"),
    path(
        "kasus/<str:code>/prosedur/wawancara/<uuid:pk>/",
        steps.interview_held,
        name="interview-held",
    ),
    path("kasus/<str:code>/prosedur/bukti/", steps.evidence_add, name="evidence-add"),
    path("kasus/<str:code>/prosedur/bukti/<uuid:pk>/", steps.evidence_file, name="evidence-file"),
    path("kasus/<str:code>/prosedur/kesimpulan/", steps.conclusion_save, name="conclusion-save"),
    path(
        "kasus/<str:code>/prosedur/kesimpulan/setujui/",
        steps.conclusion_approve,
        name="conclusion-approve",
    ),
    path("kasus/<str:code>/prosedur/keputusan/", steps.decision_add, name="decision-add"),
    path(
        "kasus/<str:code>/prosedur/keputusan/<uuid:pk>/",
        steps.decision_executed,
        name="decision-executed",
    ),
    path("kasus/<str:code>/prosedur/pemulihan/", steps.task_add, name="task-add"),
    path("kasus/<str:code>/prosedur/pemulihan/<uuid:pk>/", steps.task_done, name="task-done"),
    path("kasus/<str:code>/prosedur/pindah/", handover.move_school, name="case-move"),
    path("kasus/<str:code>/prosedur/peksos/", handover.assign_peksos, name="case-assign"),
    path("kasus/<str:code>/prosedur/dokumen/", handover.document_request, name="document-request"),
    path(
        "kasus/<str:code>/prosedur/dokumen/<uuid:pk>/",
        handover.document_download,
        name="document-download",
    ),
    path("rujukan/<uuid:pk>/", cases.referral_respond, name="referral-respond"),
    path("sekolah/<str:npsn>/", desk.desk_detail, name="desk-detail"),
    path("sekolah/<str:npsn>/lapor/", desk.case_create, name="case-create"),
    path("sekolah/<str:npsn>/anggota/", desk.member_add, name="member-add"),
    path("sekolah/<str:npsn>/anggota/<int:pk>/hapus/", desk.member_delete, name="member-delete"),
    path("sekolah/<str:npsn>/sk/", desk.desk_edit, name="desk-edit"),
    path("sekolah/<str:npsn>/poster/", desk.desk_poster, name="desk-poster"),
    path("sekolah/<str:npsn>/qr.svg", desk.desk_qr, name="desk-qr"),
]
