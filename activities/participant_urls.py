"""Pages for participants without an account, reached by an activity's link or QR code
(prefix /ikut/): self check-in, the pre/post knowledge test, the feedback form."""

from django.urls import path

from .views import attendance, participant

app_name = "participant"

urlpatterns = [
    # self check-in of adults (helper "sessions")
    path("<str:code>/hadir/", attendance.checkin, name="checkin"),
    # knowledge tests and feedback (helper "participants")
    path("<str:code>/tes-awal/", participant.pre_test, name="pre-test"),
    path("<str:code>/tes-akhir/", participant.post_test, name="post-test"),
    path("<str:code>/umpan-balik/", participant.feedback_form, name="feedback"),
]
