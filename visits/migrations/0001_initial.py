"""The visit models, moved here from the activities app with their tables and rows
(activities migration 0006): the state is created, the tables already exist. Content types
follow, so that permissions and admin history stay attached."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import peksos.core.tallies
from django.conf import settings
from django.db import migrations, models


MODELS = [
    "calendarfeedtoken",
    "datechange",
    "planrun",
    "staffcapacity",
    "staffleave",
    "visit",
    "visitmember",
]


def _move(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=source, model__in=MODELS).update(app_label=target)


def move_content_types(apps, schema_editor):
    _move(apps, "activities", "visits")


def move_content_types_back(apps, schema_editor):
    _move(apps, "visits", "activities")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('activities', '0005_visit_year_date_index'),
        ('schools', '0002_register_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='CalendarFeedToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token_hash', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feed_tokens', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'calendar feed token',
                        'verbose_name_plural': 'calendar feed tokens',
                        'db_table': 'activities_calendarfeedtoken',
                    },
                ),
                migrations.CreateModel(
                    name='PlanRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('school_year', models.PositiveSmallIntegerField(verbose_name='school year')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('options', models.JSONField(default=dict, verbose_name='options')),
                        ('schools', models.PositiveIntegerField(default=0, verbose_name='schools planned')),
                        ('placed', models.PositiveIntegerField(default=0, verbose_name='visits placed')),
                        ('kept', models.PositiveIntegerField(default=0, verbose_name='visits kept')),
                        ('removed', models.PositiveIntegerField(default=0, verbose_name='proposals replaced')),
                        ('unplaced', models.JSONField(default=list, verbose_name='schools that could not be placed')),
                        ('duration_ms', models.PositiveIntegerField(default=0, verbose_name='planning time (ms)')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'plan run',
                        'verbose_name_plural': 'plan runs',
                        'db_table': 'activities_planrun',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='StaffCapacity',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('per_day', models.PositiveSmallIntegerField(default=2, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(6)], verbose_name='visits per day')),
                        ('per_week', models.PositiveSmallIntegerField(default=8, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(30)], verbose_name='visits per week')),
                        ('weekdays_off', models.JSONField(blank=True, default=list, verbose_name='weekdays off')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('updated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='visit_capacity', to=settings.AUTH_USER_MODEL, verbose_name='staff member')),
                    ],
                    options={
                        'verbose_name': 'staff capacity',
                        'verbose_name_plural': 'staff capacities',
                        'db_table': 'activities_staffcapacity',
                    },
                ),
                migrations.CreateModel(
                    name='Visit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('school_year', models.PositiveSmallIntegerField(verbose_name='school year')),
                        ('semester', models.PositiveSmallIntegerField(choices=[(1, '1'), (2, '2')], verbose_name='semester')),
                        ('state', models.CharField(choices=[('diusulkan', 'proposed'), ('disepakati', 'agreed'), ('selesai', 'done'), ('dibatalkan', 'cancelled'), ('dijadwal_ulang', 'rescheduled')], default='diusulkan', max_length=16, verbose_name='state')),
                        ('kind', models.CharField(choices=[('kampanye', 'prevention campaign'), ('pelatihan', 'psychosocial training'), ('one_day', 'One Day for Children')], default='kampanye', max_length=12, verbose_name='kind')),
                        ('needs_pendamping', models.BooleanField(default=False, verbose_name='needs a pendamping sosial')),
                        ('locked', models.BooleanField(default=False, help_text='Re-planning keeps locked visits.', verbose_name='locked')),
                        ('cancel_reason', models.CharField(blank=True, max_length=300, verbose_name='reason for cancelling')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='marked done')),
                        ('reminder_sent_on', models.DateField(blank=True, null=True, verbose_name='reminder sent')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('plan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='visits', to='visits.planrun')),
                        ('rescheduled_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='rescheduled_to', to='visits.visit')),
                        ('school', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='schools.school', verbose_name='school')),
                    ],
                    options={
                        'verbose_name': 'visit',
                        'verbose_name_plural': 'visits',
                        'db_table': 'activities_visit',
                        'ordering': ['date', 'id'],
                    },
                    bases=(peksos.core.tallies.TallyOnSave, models.Model),
                ),
                migrations.CreateModel(
                    name='VisitMember',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('peksos', 'Pekerja Sosial (PEKSOS)'), ('psikolog', 'Psikolog'), ('pendamping', 'Pendamping Sosial')], max_length=16, verbose_name='role')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visit_memberships', to=settings.AUTH_USER_MODEL)),
                        ('visit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='visits.visit')),
                    ],
                    options={
                        'verbose_name': 'visit team member',
                        'verbose_name_plural': 'visit team members',
                        'db_table': 'activities_visitmember',
                        'ordering': ['role', 'id'],
                    },
                ),
                migrations.AddField(
                    model_name='visit',
                    name='team',
                    field=models.ManyToManyField(blank=True, related_name='visits', through='visits.VisitMember', to=settings.AUTH_USER_MODEL),
                ),
                migrations.CreateModel(
                    name='StaffLeave',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_on', models.DateField(verbose_name='from')),
                        ('ends_on', models.DateField(verbose_name='until')),
                        ('reason', models.CharField(max_length=200, verbose_name='reason')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visit_leaves', to=settings.AUTH_USER_MODEL, verbose_name='staff member')),
                    ],
                    options={
                        'verbose_name': 'staff leave',
                        'verbose_name_plural': 'staff leave',
                        'db_table': 'activities_staffleave',
                        'ordering': ['starts_on', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='staff_leave_ordered')],
                    },
                ),
                migrations.CreateModel(
                    name='DateChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('pindah', 'moved by the programme'), ('usul_sekolah', 'date proposed by the school'), ('usul_program', 'date suggested by the programme')], max_length=16, verbose_name='kind')),
                        ('from_date', models.DateField(verbose_name='previous date')),
                        ('to_date', models.DateField(verbose_name='proposed date')),
                        ('reason', models.CharField(blank=True, max_length=300, verbose_name='reason')),
                        ('state', models.CharField(choices=[('menunggu', 'awaiting an answer'), ('diterima', 'accepted'), ('ditolak', 'answered with another date'), ('diterapkan', 'applied')], max_length=12, verbose_name='state')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered')),
                        ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('proposed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('visit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='visits.visit')),
                    ],
                    options={
                        'verbose_name': 'date change',
                        'verbose_name_plural': 'date changes',
                        'db_table': 'activities_datechange',
                        'ordering': ['created_at', 'id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('state', 'menunggu')), fields=('visit',), name='one_pending_change')],
                    },
                ),
                migrations.AddIndex(
                    model_name='visitmember',
                    index=models.Index(fields=['user', 'visit'], name='visitmember_user_visit'),
                ),
                migrations.AddConstraint(
                    model_name='visitmember',
                    constraint=models.UniqueConstraint(fields=('visit', 'user'), name='unique_visit_member'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['date', 'id'], name='visit_date_id'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['school_year', 'date', 'id'], name='visit_year_date_id'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['school', 'school_year'], name='visit_school_year'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['school_year', 'state'], name='visit_year_state'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['state', 'date'], name='visit_state_date'),
                ),
                ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
