"""Staff pages of the activities held during visits (prefix /kegiatan/)."""

from django.urls import path

from .views import activities, attendance, coverage, draw, feedback, knowledge, participant, photos

app_name = "activities"

urlpatterns = [
    # --- planning and recording activities, attendance, photos (helper "sessions") ---
    path("", activities.activity_list, name="activity-list"),
    path("kalender/", activities.activity_calendar, name="activity-calendar"),
    path("cakupan/", coverage.coverage_board, name="coverage-board"),
    path("kunjungan/<int:visit_pk>/baru/", activities.activity_create, name="activity-create"),
    path("<int:pk>/", activities.activity_detail, name="activity-detail"),
    path("<int:pk>/ubah/", activities.activity_edit, name="activity-edit"),
    path("<int:pk>/catat/", activities.activity_record, name="activity-record"),
    path("<int:pk>/formulir/", activities.activity_forms_toggle, name="activity-forms"),
    path("<int:pk>/hadir/", attendance.attendee_add, name="attendee-add"),
    path(
        "<int:pk>/hadir/<int:attendee_pk>/hapus/",
        attendance.attendee_remove,
        name="attendee-remove",
    ),
    path("<int:pk>/qr/", attendance.checkin_poster, name="checkin-poster"),
    path("<int:pk>/qr.svg", attendance.checkin_qr, name="checkin-qr"),
    path("<int:pk>/foto/", photos.photo_upload, name="photo-upload"),
    path("foto/<int:photo_pk>/", photos.photo_file, name="photo-file"),
    path("foto/<int:photo_pk>/hapus/", photos.photo_delete, name="photo-delete"),
    # --- knowledge tests, feedback results, door-prize draws (helper "participants") ---
    path("soal/", knowledge.question_set_list, name="question-sets"),
    path("soal/baru/", knowledge.question_set_create, name="question-set-create"),
    path("soal/<int:pk>/", knowledge.question_set_detail, name="question-set"),
    path("soal/<int:pk>/ubah/", knowledge.question_set_edit, name="question-set-edit"),
    path("tes/ringkasan/", knowledge.knowledge_overview, name="knowledge-overview"),
    path("umpan-balik/ringkasan/", feedback.feedback_overview, name="feedback-overview"),
    path("<int:pk>/peserta/", participant.participant_tools, name="participant-tools"),
    path("<int:pk>/peserta/qr/<slug:form>.svg", participant.participant_qr, name="participant-qr"),
    path("<int:pk>/tes/", knowledge.activity_test, name="test"),
    path("<int:pk>/tes/pilih/", knowledge.activity_test_choose, name="test-choose"),
    path("<int:pk>/tes/kertas/", knowledge.activity_test_paper, name="test-paper"),
    path("<int:pk>/umpan-balik/", feedback.activity_feedback, name="feedback"),
    path("<int:pk>/undian/", draw.draw_page, name="draw"),
    path("<int:pk>/undian/hadiah/", draw.prize_add, name="prize-add"),
    path("<int:pk>/undian/hadiah/<int:prize_pk>/hapus/", draw.prize_delete, name="prize-delete"),
    path("<int:pk>/undian/jalankan/", draw.draw_run, name="draw-run"),
    path("<int:pk>/undian/<int:draw_pk>/", draw.draw_detail, name="draw-detail"),
    path("<int:pk>/undian/<int:draw_pk>/verifikasi/", draw.draw_verify, name="draw-verify"),
    path("<int:pk>/undian/<int:draw_pk>/layar/", draw.draw_screen, name="draw-screen"),
]
