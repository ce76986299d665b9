from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from home.inbox_views import inbox_page
from home.office_views import office_logo, office_settings
from home.views import help_page, home
from peksos.core.views import healthz, ping
from people.views.invitations import invitation_accept

urlpatterns = [
    path("", home, name="home"),
    path("bantuan/", help_page, name="help"),
    path("pengaturan/", office_settings, name="office-settings"),
    path("pengaturan/logo/", office_logo, name="office-logo"),
    path("", include("peksos.accounts.urls")),
    path("notifikasi/", include("peksos.notifications.urls")),
    path("persetujuan/", inbox_page, name="inbox"),
    path("bahasa/", set_language, name="set_language"),
    path("sekolah/", include("schools.urls")),
    path("wilayah/", include("schools.region_urls")),
    path("pengguna/", include("people.urls")),
    path("undangan/<str:token>/", invitation_accept, name="invitation-accept"),
    path("kunjungan/", include("visits.urls")),
    path("kegiatan/", include("activities.urls")),
    path("ikut/", include("activities.participant_urls")),
    path("sosdesk/", include("sosdesk.urls")),
    path("lapor/", include("sosdesk.public_urls")),
    path("pemantauan/", include("monitoring.urls")),
    path("forum/", include("forum.urls")),
    path("laporan/", include("reports.urls")),
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    path("admin-teknis/", admin.site.urls),
]
