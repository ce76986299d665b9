from django.urls import path

from .views import imports, people, staff_search

app_name = "people"

urlpatterns = [
    path("", people.person_list, name="person-list"),
    path("ekspor.<str:fmt>", people.person_export, name="person-export"),
    path("staf/cari/", staff_search.staff_search, name="staff-search"),
    path("baru/", people.person_create, name="person-create"),
    path("impor/", imports.import_create, name="import-create"),
    path("impor/<uuid:pk>/", imports.import_detail, name="import-detail"),
    path("impor/<uuid:pk>/terapkan/", imports.import_apply, name="import-apply"),
    path("<int:user_id>/", people.person_detail, name="person-detail"),
    path("<int:user_id>/ubah/", people.person_edit, name="person-edit"),
    path("<int:user_id>/sekolah/", people.membership_add, name="membership-add"),
    path("<int:user_id>/sekolah/<int:pk>/akhiri/", people.membership_end, name="membership-end"),
    path("<int:user_id>/nonaktifkan/", people.person_deactivate, name="person-deactivate"),
    path("<int:user_id>/aktifkan/", people.person_reactivate, name="person-reactivate"),
    path("<int:user_id>/buka-kunci/", people.person_unlock, name="person-unlock"),
    path("<int:user_id>/reset-2fa/", people.second_factor_reset, name="second-factor-reset"),
    path("<int:user_id>/undangan/", people.invitation_send, name="invitation-send"),
    path("<int:user_id>/undangan/tarik/", people.invitation_withdraw, name="invitation-withdraw"),
]
