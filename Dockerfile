# syntax=docker/dockerfile:1
# check=skip=SecretsUsedInArgOrEnv
# (BUILD_SECRET_KEY below is a throw-away value used only by two build commands.)

# PEKSOS: one image for the web (gunicorn), the Celery worker and Celery beat.
# The same commands run outside Docker (README: "Running the production processes by hand").
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

# WeasyPrint's system libraries (Pango, HarfBuzz, JPEG), the DejaVu fonts it is tested with,
# and gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 peksos \
    && useradd --system --uid 10001 --gid peksos --home-dir /app --no-create-home peksos

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

# The code stays owned by root (read-only for the app user); only var/ and media/ are writable.
COPY . .

# Translations and static files are built into the image. SECRET_KEY is a dummy here and only
# for these two commands, so settings never write a key file (var/secret_key) into the image.
ARG BUILD_SECRET_KEY=build-only-not-a-secret
RUN SECRET_KEY="$BUILD_SECRET_KEY" python manage.py compilemessages --ignore .venv -v 0 \
    && SECRET_KEY="$BUILD_SECRET_KEY" python manage.py collectstatic --noinput -v 0 \
    && rm -rf /app/var && mkdir -p /app/var /app/media \
    && chown peksos:peksos /app/var /app/media

USER peksos

EXPOSE 8000

# /healthz answers 200 when the database (and broker, if configured) answer, 503 otherwise.
# The Host header is the first ALLOWED_HOSTS entry; X-Forwarded-Proto avoids the HTTPS
# redirect when PEKSOS_HTTPS=1 (settings trust that header only then).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = (os.environ.get('ALLOWED_HOSTS') or 'localhost').split(',')[0].strip().lstrip('.*') or 'localhost'; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4)"]

CMD ["gunicorn", "peksos.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "60", "--access-logfile", "-"]
