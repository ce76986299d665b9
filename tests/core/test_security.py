"""Security headers on every page, `check --deploy` with production settings, CSRF."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

PRODUCTION_FERNET_KEY = "ZmFrZS1wcm9kdWN0aW9uLWtleS1mb3ItdGVzdHMtMDE="  # 32 bytes, base64
ANONYMOUS_PAGES = ["/masuk/", "/lupa-sandi/", "/lupa-sandi/terkirim/", "/tidak-ada/"]
USER_PAGES = ["/", "/akun/", "/akun/kata-sandi/", "/2fa/kode-pemulihan/"]


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_headers_on_anonymous_pages(client, db, url):
    assert_security_headers(client.get(url))


@pytest.mark.parametrize("url", USER_PAGES)
def test_headers_and_no_store_on_logged_in_pages(login, guru_eka, url):
    response = login(guru_eka).get(url)
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]


def test_scripts_carry_the_nonce_and_no_inline_style(login, guru_eka):
    response = login(guru_eka).get("/")
    html = response.content.decode()
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert html.count("<script") == html.count(f'nonce="{nonce}"')
    assert "style=" not in html


def test_post_without_csrf_token_is_refused(db, guru_eka):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/masuk/", {"username": "guru_eka", "password": "x"})
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in response.content.decode()


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "peksos.settings",
        "SECRET_KEY": "p" * 20 + "roduction-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "peksos.metrokota.go.id",
        "PEKSOS_HTTPS": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MONITORING_ENCRYPTION_KEYS": PRODUCTION_FERNET_KEY,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.metrokota.go.id",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure(monkeypatch):
    from importlib import reload

    import peksos.settings as module

    monkeypatch.setenv("PEKSOS_HTTPS", "1")
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.setenv("MONITORING_ENCRYPTION_KEYS", PRODUCTION_FERNET_KEY)
    try:
        reload(module)
        assert module.SESSION_COOKIE_SECURE and module.CSRF_COOKIE_SECURE
        assert module.SECURE_HSTS_SECONDS >= 31536000
        assert module.SECURE_SSL_REDIRECT
    finally:
        monkeypatch.undo()
        reload(module)


def test_home_is_not_cached_for_users_but_login_is_reachable(client, db):
    assert client.get(reverse("accounts:login")).status_code == 200


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {
        "PATH": os.environ["PATH"],
        "PEKSOS_HTTPS": "1",
        "DJANGO_SETTINGS_MODULE": "peksos.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
