from django.contrib.auth import views as auth_views
from django.urls import path

from . import reauth, views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/", views.account, name="account"),
    path("akun/konfirmasi/", reauth.reauth, name="reauth"),
    path("akun/kata-sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "akun/kata-sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("lupa-sandi/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "lupa-sandi/terkirim/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "lupa-sandi/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "lupa-sandi/selesai/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("2fa/daftar/", views.otp_enrol, name="otp-enrol"),
    path("2fa/verifikasi/", views.otp_verify, name="otp-verify"),
    path("2fa/kode-pemulihan/", views.recovery_codes, name="recovery-codes"),
    path("2fa/kode-pemulihan/baru/", views.recovery_codes_renew, name="recovery-codes-renew"),
]
