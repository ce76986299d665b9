"""/wilayah/: the regions of the register (kecamatan, kelurahan), for the Koordinator; their
search (cari/) for everyone with a list filtered by region."""

from django.urls import path

from .views import region_search, regions

app_name = "regions"

urlpatterns = [
    path("", regions.region_list, name="region-list"),
    path("kecamatan/baru/", regions.kecamatan_create, name="kecamatan-create"),
    path("kecamatan/<str:code>/ubah/", regions.kecamatan_edit, name="kecamatan-edit"),
    path("kelurahan/baru/", regions.kelurahan_create, name="kelurahan-create"),
    path("kelurahan/<str:code>/ubah/", regions.kelurahan_edit, name="kelurahan-edit"),
    path("impor/", regions.import_create, name="import-create"),
    path("impor/<uuid:pk>/", regions.import_detail, name="import-detail"),
    path("impor/<uuid:pk>/terapkan/", regions.import_apply, name="import-apply"),
    path("cari/kecamatan/", region_search.kecamatan_search, name="kecamatan-search"),
    path("cari/kelurahan/", region_search.kelurahan_search, name="kelurahan-search"),
]
