"""`manage.py create_koordinator`: the first administrator of a real installation.

Asks for the user name, e-mail and password (twice), or reads them from the environment for
automation: PEKSOS_KOORDINATOR_USERNAME, PEKSOS_KOORDINATOR_EMAIL, PEKSOS_KOORDINATOR_PASSWORD
(with --no-input). The password goes through Django's password validators. The Koordinator
enrols the second factor at the first login; daily administration is on /pengguna/.
"""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from peksos.accounts.models import Role, User
from peksos.core import audit

ENV = "PEKSOS_KOORDINATOR_"


class Command(BaseCommand):
    help = "Create a Koordinator account (the first administrator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-input", action="store_true", help=f"read {ENV}USERNAME, EMAIL, PASSWORD"
        )

    def handle(self, *args, no_input: bool, **options) -> None:
        if no_input:
            username = os.environ.get(f"{ENV}USERNAME", "").strip()
            email = os.environ.get(f"{ENV}EMAIL", "").strip()
            password = os.environ.get(f"{ENV}PASSWORD", "")
            if not username or not password:
                raise CommandError(f"Set {ENV}USERNAME and {ENV}PASSWORD (and {ENV}EMAIL).")
        else:
            username = input("Username: ").strip()
            email = input("E-mail: ").strip()
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"The user name {username!r} is taken.")
        if email and User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"An account already has the e-mail {email!r}.")
        user = User(username=username, email=email, role=Role.KOORDINATOR)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            audit.record("koordinator_created", obj=user)
        self.stdout.write(self.style.SUCCESS(f"Koordinator {username} created."))
