"""Pages for participants without an account, reached by an activity's link or QR code
(prefix /ikut/): self check-in, the pre/post knowledge test, the feedback form."""

from django.urls import path, register_converter

from .views import attendance, participant


class PublicCode:
    """An activity's public code (`secrets.token_urlsafe`): anything else is a 404 before a
    view runs (a NUL byte would otherwise reach PostgreSQL, which refuses it)."""

    regex = r"[A-Za-z0-9_-]{1,16}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PublicCode, "public_code")

app_name = "participant"

urlpatterns = [
    # self check-in of adults (helper "sessions")
    path("<public_code:code>/hadir/", attendance.checkin, name="checkin"),
    # knowledge tests and feedback (helper "participants")
    path("<public_code:code>/tes-awal/", participant.pre_test, name="pre-test"),
    path("<public_code:code>/tes-akhir/", participant.post_test, name="post-test"),
    path("<public_code:code>/umpan-balik/", participant.feedback_form, name="feedback"),
]
