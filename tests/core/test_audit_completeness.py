"""S10 audit completeness (docs/quality.md S10, issue #10): every view, download and export of a
sensitive record writes exactly one audit row (who, role, what, from where, request id), and
every denied attempt on a case or a child's record writes one too.

The objects are the access crawl's world (tests/access_crawl.py: school B, peksos_joko's
caseload, a case with an attachment, a child's record with a consent form, a built report).
`SENSITIVE` lists each sensitive view with a persona allowed to use it and the audit action
it must write; `NOT_SENSITIVE_READS` lists every other view of the same apps with the reason
it writes no read-audit row. A new URL pattern in these apps that is in neither list fails
`test_every_view_of_the_sensitive_apps_is_classified`, so a new sensitive view cannot ship
without its audit row being tested. Writes are audited by their services (each feature's
tests check the row); here only reads, downloads, exports and denials are checked.
"""

import pytest
from django.utils import timezone

from peksos.accounts import reauth
from peksos.core.models import AuditEvent
from tests import access_crawl

pytestmark = pytest.mark.django_db

# pattern -> (persona allowed, method, audit action, audited object's model)
SENSITIVE = {
    "sosdesk:case-detail": ("sosdesk_b", "GET", "case_viewed", "sosdesk.case"),
    "sosdesk:case-attachment": (
        "peksos_b",
        "GET",
        "case_attachment_downloaded",
        "sosdesk.case",  # the row names the case the file belongs to
    ),
    "sosdesk:case-access-log": ("koordinator", "GET", "case_access_log_viewed", "sosdesk.case"),
    "sosdesk:case-figures": ("peksos_a", "GET", "case_figures_viewed", ""),
    "monitoring:record-detail": (
        "peksos_b",
        "GET",
        "child_record_viewed",
        "monitoring.childrecord",
    ),
    "monitoring:record-reveal": (
        "koordinator",
        "POST",
        "child_name_revealed",
        "monitoring.childrecord",
    ),
    "monitoring:consent-file": (
        "peksos_b",
        "GET",
        "child_consent_form_downloaded",
        "monitoring.childrecord",  # the row names the child's record
    ),
    "reports:report-download": ("peksos_b", "GET", "report_downloaded", "reports.report"),
    "reports:report-csv": ("koordinator", "GET", "report_figures_downloaded", "reports.report"),
    "reports:report-xlsx": ("peksos_b", "GET", "report_figures_downloaded", "reports.report"),
    "schools:school-export": ("koordinator", "GET", "school_export_csv", ""),
    # The PPKSP procedure and the protection of a case (issue 19).
    "sosdesk:case-procedure": ("sosdesk_b", "GET", "case_procedure_viewed", "sosdesk.case"),
    "sosdesk:case-protection": ("sosdesk_b", "GET", "case_protection_viewed", "sosdesk.case"),
    "sosdesk:evidence-file": ("peksos_b", "GET", "case_evidence_downloaded", "sosdesk.case"),
}

# pattern -> (persona refused, audit action): a denied attempt on a sensitive record.
DENIED = {
    "sosdesk:case-detail": ("peksos_a", "case_access_denied"),
    "sosdesk:case-attachment": ("sosdesk_a", "case_access_denied"),
    "sosdesk:case-access-log": ("sosdesk_b", "case_access_denied"),
    "monitoring:record-detail": ("peksos_a", "child_record_access_denied"),
    "monitoring:record-reveal": ("peksos_a", "child_record_access_denied"),
    "monitoring:consent-file": ("sosdesk_a", "child_record_access_denied"),
    "monitoring:observation-fill": ("peksos_a", "child_observation_access_denied"),
    "reports:report-download": ("peksos_a", "report_access_denied"),
    "reports:report-csv": ("peksos_a", "report_access_denied"),
    "reports:report-xlsx": ("sosdesk_a", "report_access_denied"),
}

_POST_ONLY = "a POST-only action: its service writes the audit row (each feature's tests)"
_LIST = "a list or form: codes, states and counts only, no record's content"
NOT_SENSITIVE_READS = {
    "sosdesk:case-list": _LIST,
    "sosdesk:case-overdue": _LIST,
    "sosdesk:deadlines-edit": "the deadline settings, no record",
    "sosdesk:case-triage": _POST_ONLY,
    "sosdesk:case-status": _POST_ONLY,
    "sosdesk:case-note": _POST_ONLY,
    "sosdesk:case-message": _POST_ONLY,
    "sosdesk:case-refer": _POST_ONLY,
    "sosdesk:case-police": _POST_ONLY,
    "sosdesk:referral-respond": _POST_ONLY,
    "sosdesk:desk-detail": "the desk's members and SK number (public to the school)",
    "sosdesk:case-create": "an empty form",
    "sosdesk:member-add": _POST_ONLY,
    "sosdesk:member-delete": _POST_ONLY,
    "sosdesk:desk-edit": "the desk's SK number",
    "sosdesk:desk-poster": "the public poster",
    "sosdesk:desk-qr": "the public QR code",
    "monitoring:record-list": _LIST,
    "monitoring:record-create": "an empty form",
    "monitoring:observation-list": _LIST,
    "monitoring:observation-fill": "the asked observer's form; denials are audited (DENIED)",
    "monitoring:record-close": _POST_ONLY,
    "monitoring:record-close-approve": _POST_ONLY,
    "monitoring:record-close-reject": _POST_ONLY,
    "monitoring:observation-request": _POST_ONLY,
    "monitoring:observation-cancel": _POST_ONLY,
    "monitoring:guardian-link": _POST_ONLY,
    "monitoring:guardian-end": _POST_ONLY,
    "monitoring:record-refer": _POST_ONLY,
    "monitoring:consent-add": _POST_ONLY,
    "monitoring:consent-override": _POST_ONLY,
    "monitoring:consent-withdraw": _POST_ONLY,
    "monitoring:plan-save": _POST_ONLY,
    "monitoring:plan-approve": _POST_ONLY,
    "monitoring:goal-add": _POST_ONLY,
    "monitoring:goal-score": _POST_ONLY,
    "monitoring:intervention-add": _POST_ONLY,
    "monitoring:note-add": _POST_ONLY,
    "monitoring:sdq-add": _POST_ONLY,
    "monitoring:wellbeing-add": _POST_ONLY,
    "reports:report-list": _LIST,
    "reports:report-create": "an empty form",
    "reports:report-detail": "the report's progress page: no figures (they are in the file)",
    "reports:report-run-again": _POST_ONLY,
    "monitoring:record-follow-up-visit": "a redirect to the visit form with the record's code",
    # The PPKSP procedure and the protection of a case (issue 19). A rendered document's
    # download writes case_document_downloaded (tests/sosdesk/test_sosdesk_procedure.py); the
    # crawl's world has none rendered, so here it is only a redirect back to the page.
    "sosdesk:document-download": "the world's document is not rendered: a redirect",
    "sosdesk:party-reveal": _POST_ONLY,
    "sosdesk:party-add": _POST_ONLY,
    "sosdesk:interview-plan": _POST_ONLY,
    "sosdesk:interview-held": _POST_ONLY,
    "sosdesk:evidence-add": _POST_ONLY,
    "sosdesk:conclusion-save": _POST_ONLY,
    "sosdesk:conclusion-approve": _POST_ONLY,
    "sosdesk:decision-add": _POST_ONLY,
    "sosdesk:decision-executed": _POST_ONLY,
    "sosdesk:task-add": _POST_ONLY,
    "sosdesk:task-done": _POST_ONLY,
    "sosdesk:case-move": _POST_ONLY,
    "sosdesk:case-assign": _POST_ONLY,
    "sosdesk:document-request": _POST_ONLY,
    "sosdesk:case-restrict": _POST_ONLY,
    "sosdesk:case-unrestrict": _POST_ONLY,
    "sosdesk:case-handler-add": _POST_ONLY,
    "sosdesk:case-recuse": _POST_ONLY,
}
SENSITIVE_APPS = ("sosdesk:", "monitoring:", "reports:")


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    users = access_crawl.make_personas()
    objects = access_crawl.build_world(users)
    patterns = {p.name: p for p in access_crawl.all_patterns()}
    clients = {}
    for key, user in users.items():
        client = access_crawl._client_for(user)
        session = client.session
        session[reauth.SESSION_KEY] = int(timezone.now().timestamp())  # password just typed
        session.save()
        clients[key] = client
    return users, objects, patterns, clients


def url_of(name: str, patterns: dict, objects: dict) -> str:
    kwargs = access_crawl.fill(patterns[name], objects)
    assert kwargs is not None, f"{name}: the crawl's world has no object for it"
    return access_crawl.url_for(patterns[name], kwargs)


def request_and_audits(client, method: str, url: str) -> tuple[int, list[AuditEvent]]:
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = getattr(client, method.lower())(url, REMOTE_ADDR="203.0.113.7")
    if response.streaming:
        b"".join(response)
    return response.status_code, list(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))


def test_every_view_of_the_sensitive_apps_is_classified():
    names = {p.name for p in access_crawl.all_patterns() if p.name.startswith(SENSITIVE_APPS)}
    unclassified = names - set(SENSITIVE) - set(NOT_SENSITIVE_READS)
    assert not unclassified, f"add to SENSITIVE or NOT_SENSITIVE_READS: {sorted(unclassified)}"
    assert not set(SENSITIVE) & set(NOT_SENSITIVE_READS)
    assert set(DENIED) <= names


def test_each_sensitive_read_writes_exactly_one_audit_row(world):
    users, objects, patterns, clients = world
    problems = []
    for name, (persona, method, action, model) in SENSITIVE.items():
        user = users[persona]
        status, events = request_and_audits(
            clients[persona], method, url_of(name, patterns, objects)
        )
        if status != 200:
            problems.append(f"{name} as {persona}: HTTP {status}")
            continue
        if [e.action for e in events] != [action]:
            problems.append(f"{name} as {persona}: audit rows {[e.action for e in events]}")
            continue
        event = events[0]
        who = (event.actor_id, event.actor_role, str(event.ip), bool(event.request_id))
        if who != (user.pk, user.role, "203.0.113.7", True):
            problems.append(f"{name}: row says {who}")
        if model and (event.object_type != model or not event.object_id):
            problems.append(f"{name}: row names {event.object_type}:{event.object_id}")
    assert not problems, "\n".join(problems)


def test_each_denied_attempt_on_a_sensitive_record_writes_an_audit_row(world):
    users, objects, patterns, clients = world
    problems = []
    for name, (persona, action) in DENIED.items():
        method = SENSITIVE.get(name, ("", "GET"))[1]
        status, events = request_and_audits(
            clients[persona], method, url_of(name, patterns, objects)
        )
        if status not in (403, 404):
            problems.append(f"{name} as {persona}: HTTP {status}, expected a refusal")
        elif [e.action for e in events] != [action]:
            problems.append(f"{name} as {persona}: audit rows {[e.action for e in events]}")
        elif events[0].actor_id != users[persona].pk or not events[0].request_id:
            problems.append(f"{name}: the denial's row does not name {persona}")
    assert not problems, "\n".join(problems)
