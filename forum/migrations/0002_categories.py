"""The forum's first topics (Bab 3.3 of the programme manual). Names are data, in Indonesian."""

from django.db import migrations

CATEGORIES = [
    (
        "perundungan",
        "Perundungan (bullying)",
        "Ejekan, pengucilan, pemalakan, kekerasan antarteman.",
    ),
    ("emosi-perilaku", "Emosi dan perilaku", "Anak murung, marah, takut, menarik diri."),
    ("pengasuhan", "Pengasuhan", "Mendidik tanpa kekerasan, disiplin positif, komunikasi."),
    ("keamanan-daring", "Keamanan daring", "Gawai, media sosial, gim, judi dan penipuan daring."),
    ("kehidupan-sekolah", "Kehidupan sekolah", "Guru, teman, pelajaran, SOS Desk dan TPPK."),
]


def add(apps, schema_editor):
    Category = apps.get_model("forum", "Category")
    for position, (slug, name, description) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


def remove(apps, schema_editor):
    apps.get_model("forum", "Category").objects.filter(slug__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
