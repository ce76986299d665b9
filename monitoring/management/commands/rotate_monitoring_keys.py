"""Re-encrypt every encrypted value with the first key of MONITORING_ENCRYPTION_KEYS: the
children's identifying fields (monitoring) and the text of SOS Desk cases (narrative, reporter,
messages, notes: one key ring, peksos/core/crypto.py).

    MONITORING_ENCRYPTION_KEYS=<new>,<old> manage.py rotate_monitoring_keys
    MONITORING_ENCRYPTION_KEYS=<new>,<old> manage.py rotate_monitoring_keys --check

Safe to run while the application serves requests and safe to run twice: every key in the
list still decrypts, so records stay readable during the rotation; each batch is its own
transaction. `--check` changes nothing and counts the values the first key cannot open yet:
only when it reports 0 may the old keys be removed. See docs/monitoring.md.
"""

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from monitoring.models import ChildRecord, Consent, ObservationRequest
from peksos.core import audit, crypto
from sosdesk.models import Case, CaseMessage, CaseNote
from sosdesk.procedure.models import CaseDocument, CaseParty, Interview

BATCH = 500
ENCRYPTED_FIELDS = ("name", "guardian_contact")
# Every model with encrypted columns, and those columns.
ENCRYPTED = (
    (ChildRecord, ENCRYPTED_FIELDS),
    (ObservationRequest, ("child_label", "comment")),
    # The SOS Desk's case text, parties and interview summaries (issue 19) share the key ring.
    (Case, ("narrative", "reporter_name", "reporter_contact")),
    (CaseMessage, ("body",)),
    (CaseNote, ("body",)),
    (CaseParty, ("name", "contact")),
    (Interview, ("summary",)),
)


class Command(BaseCommand):
    help = (
        "Re-encrypt children's identifying fields, consent forms and case text with the first key."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; count the values not yet encrypted with the first key.",
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        first = Fernet(settings.MONITORING_ENCRYPTION_KEYS[0].encode())
        if check:
            stale = self.count_stale(first)
            self.stdout.write(f"{stale} value(s) not encrypted with the first key.")
            return
        records, cases = self.rotate_records()
        files = self.rotate_files(first)
        audit.record("monitoring_keys_rotated", object_type=ChildRecord._meta.label_lower)
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {records} record(s), {files} consent form(s) and "
                f"{cases} SOS Desk case(s) with their messages and notes."
            )
        )

    def count_stale(self, first: Fernet) -> int:
        """Values the first key alone cannot decrypt (read as raw tokens, never decrypted)."""
        stale = 0
        for model, fields in ENCRYPTED:
            raw = model.objects.annotate(
                **{f"raw_{f}": Cast(f, output_field=TextField()) for f in fields}
            ).values_list(*[f"raw_{f}" for f in fields])
            stale += sum(
                not _opens(first, token.encode()) for row in raw.iterator() for token in row
            )
        for field, row in _encrypted_files():
            with getattr(row, field).open("rb") as handle:
                stale += not _opens(first, handle.read())
        return stale

    def rotate_records(self) -> tuple[int, int]:
        """Load (any key decrypts) and save (the first key encrypts), batch by batch. The
        children's records and the cases rotated."""
        done = cases = 0
        for model, fields in ENCRYPTED:
            pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                with transaction.atomic():
                    batch = list(
                        model.objects.select_for_update()
                        .filter(pk__in=pks[start : start + BATCH])
                        .only("pk", *fields)
                    )
                    model.objects.bulk_update(batch, fields)
                if model is ChildRecord:
                    done += len(batch)
                elif model is Case:
                    cases += len(batch)
        return done, cases

    def rotate_files(self, first: Fernet) -> int:
        """Each form is written anew under a new name before the old file is removed, so a
        crash in between leaves a readable file either way."""
        done = 0
        for field, row in _encrypted_files():
            file = getattr(row, field)
            old = file.name
            with file.open("rb") as handle:
                token = handle.read()
            if _opens(first, token):
                continue
            rotated = crypto.keys().rotate(token)
            name = "form" if field == "form_file" else f"sosdesk/documents/{row.pk}.pdf"
            file.save(name, ContentFile(rotated), save=False)
            type(row).objects.filter(pk=row.pk).update(**{field: file.name})
            file.storage.delete(old)
            done += 1
        return done


def _encrypted_files():
    """(field, row) of every encrypted file: consent forms, SOS Desk case documents."""
    for consent in Consent.objects.exclude(form_file="").iterator():
        yield "form_file", consent
    for document in CaseDocument.objects.exclude(file="").iterator():
        yield "file", document


def _opens(fernet: Fernet, token: bytes) -> bool:
    try:
        fernet.decrypt(token)
    except InvalidToken:
        return False
    return True
