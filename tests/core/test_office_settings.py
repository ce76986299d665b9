"""Office settings at /pengaturan/ (issue #17): one row, Koordinator only, every change audited
field by field, the logo through the upload gate, the numbers on the public pages."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from peksos.core.models import AuditEvent, OfficeSettings
from tests.factories import gps_jpeg

pytestmark = pytest.mark.django_db
URL = reverse("office-settings")
LOGO = reverse("office-logo")


def _form(**changes) -> dict:
    data = {
        "office_name": "Dinas Sosial Kota Metro",
        "address": "",
        "phone": "",
        "signer_name": "",
        "signer_title": "Kepala Dinas Sosial Kota Metro",
        "police_number": "110",
        "emergency_number": "112",
        "helpline_number": "129",
        "school_year_start_month": "7",
    }
    data.update(changes)
    return data


def test_defaults_are_todays_texts_for_kota_metro():
    office = OfficeSettings.current()
    assert office.pk == 1 and office._state.adding  # nothing saved: the defaults, unsaved
    assert office.office_name == "Dinas Sosial Kota Metro"
    assert (office.police_number, office.emergency_number, office.helpline_number) == (
        "110",
        "112",
        "129",
    )
    assert not OfficeSettings.objects.exists()


def test_koordinator_changes_the_settings_audited_field_by_field(login, koordinator_ani):
    client = login(koordinator_ani)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Pengaturan kantor" in page.content.decode()
    OfficeSettings.current()  # cached now: the save must drop it
    response = client.post(
        URL,
        _form(
            office_name="Dinas Sosial Kota Contoh",
            signer_name="Dra. Siti Aminah",
            helpline_number="0800 129 129",
        ),
    )
    assert response.status_code == 302 and response.url == URL
    assert OfficeSettings.objects.count() == 1
    office = OfficeSettings.current()
    assert office.office_name == "Dinas Sosial Kota Contoh"
    assert office.helpline_tel == "0800129129"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions == {
        "office_settings_changed:office_name",
        "office_settings_changed:signer_name",
        "office_settings_changed:helpline_number",
    }
    event = AuditEvent.objects.first()
    assert event.actor == koordinator_ani and event.object_type == "core.officesettings"
    # Sent again unchanged: still one row, nothing audited.
    client.post(
        URL,
        _form(
            office_name="Dinas Sosial Kota Contoh",
            signer_name="Dra. Siti Aminah",
            helpline_number="0800 129 129",
        ),
    )
    assert AuditEvent.objects.count() == 3 and OfficeSettings.objects.count() == 1


def test_the_public_pages_show_the_configured_numbers(client, login, koordinator_ani):
    page = client.get(reverse("lapor:start")).content.decode()
    assert 'href="tel:110"' in page and 'href="tel:129"' in page  # today's, until edited
    login(koordinator_ani).post(URL, _form(police_number="(0725) 110", helpline_number="129 1"))
    client.logout()
    page = client.get(reverse("lapor:start")).content.decode()
    assert 'href="tel:0725110"' in page and "(0725) 110" in page
    assert 'href="tel:1291"' in page and 'href="tel:129"' not in page


def test_bad_input_is_refused_in_indonesian_and_kept(login, koordinator_ani):
    client = login(koordinator_ani)
    response = client.post(
        URL, _form(office_name="Dinas Baru", police_number="110<script>", signer_title="")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Masukkan nomor telepon berupa angka saja" in page
    assert 'value="Dinas Baru"' in page and "110&lt;script&gt;" in page  # nothing typed lost
    assert not OfficeSettings.objects.exists() and not AuditEvent.objects.exists()


def test_a_logo_goes_through_the_upload_gate_and_is_shown_to_the_koordinator_only(
    login, koordinator_ani, peksos_budi, client
):
    manager = login(koordinator_ani)
    assert manager.get(LOGO).status_code == 404  # none yet
    response = manager.post(URL, {**_form(), "logo_upload": gps_jpeg("logo.jpg")})
    assert response.status_code == 302
    office = OfficeSettings.from_database()
    assert office.logo.name.startswith("office/") and office.logo_content_type == "image/jpeg"
    assert office.logo_data_uri().startswith("data:image/jpeg;base64,")
    assert AuditEvent.objects.filter(action="office_settings_changed:logo").count() == 1
    shown = manager.get(LOGO)
    assert shown.status_code == 200 and shown["Content-Disposition"].startswith("inline")
    body = b"".join(shown.streaming_content)
    assert not Image.open(io.BytesIO(body)).getexif()  # re-encoded: no GPS
    assert 'src="/pengaturan/logo/"' in manager.get(URL).content.decode()
    manager.logout()
    assert login(peksos_budi).get(LOGO).status_code == 403
    # A page pretending to be a logo is refused, with the settings kept as they were.
    hostile = gps_jpeg("logo.jpg", appended=b"<script>alert(1)</script>")
    response = login(koordinator_ani).post(URL, {**_form(), "logo_upload": hostile})
    assert response.status_code == 400
    assert OfficeSettings.from_database().logo.name == office.logo.name
    # Removed on request.
    response = login(koordinator_ani).post(URL, {**_form(), "remove_logo": "on"})
    assert response.status_code == 302 and not OfficeSettings.from_database().logo


def test_wrong_method_anonymous_and_wrong_role(client, login, peksos_budi, kepsek_indah):
    anonymous = client.get(URL)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous.url
    assert client.post(URL, _form()).status_code == 302
    assert login(peksos_budi).get(URL).status_code == 403
    assert client.post(URL, _form(office_name="X")).status_code == 403
    assert login(kepsek_indah).get(URL).status_code == 403
    assert not OfficeSettings.objects.exists()


def test_wrong_method(login, koordinator_ani):
    client = login(koordinator_ani)
    assert client.put(URL).status_code == 405
    assert client.post(LOGO).status_code == 405


def test_navigation_links_the_settings_for_the_koordinator_only(
    login, koordinator_ani, peksos_budi
):
    assert f'href="{URL}"' in login(koordinator_ani).get(reverse("home")).content.decode()
    assert f'href="{URL}"' not in login(peksos_budi).get(reverse("home")).content.decode()
