"""The Celery app. Configuration lives in settings (CELERY_* names), beat schedule included."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")

app = Celery("peksos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
