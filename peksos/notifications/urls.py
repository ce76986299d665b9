from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("pengaturan/", views.notification_preferences, name="notification-preferences"),
    path("dibaca-semua/", views.notification_read_all, name="notification-read-all"),
    path("<uuid:uid>/buka/", views.notification_open, name="notification-open"),
    path("<uuid:uid>/dibaca/", views.notification_read, name="notification-read"),
]
