from django.urls import path

from .views import calendar, imports, map, placing, priority, register

app_name = "schools"

urlpatterns = [
    path("", register.school_list, name="school-list"),
    path("ekspor.<str:fmt>", register.school_export, name="school-export"),
    path("peta/", map.school_map, name="school-map"),
    path("peta/data.json", map.school_map_data, name="school-map-data"),
    path("peta/tempatkan/", placing.school_place, name="school-place"),
    path("peta/tempatkan/<str:npsn>/", placing.school_place_save, name="school-place-save"),
    path("prioritas/", priority.priority_weights, name="priority-weights"),
    path("kalender/", calendar.city_calendar, name="calendar-city"),
    path("kalender/<int:pk>/hapus/", calendar.blocked_period_delete, name="blockedperiod-delete"),
    path("impor/", imports.import_create, name="import-create"),
    path("impor/<uuid:pk>/", imports.import_detail, name="import-detail"),
    path("impor/<uuid:pk>/terapkan/", imports.import_apply, name="import-apply"),
    path("impor/<uuid:pk>/progres/", imports.import_progress, name="import-progress"),
    path("<str:npsn>/", register.school_detail, name="school-detail"),
    path("<str:npsn>/ubah/", register.school_edit, name="school-edit"),
    path("<str:npsn>/koordinat/", map.school_coordinates, name="school-coordinates"),
    path("<str:npsn>/kalender/", calendar.school_calendar, name="school-calendar"),
]
