"""Who may manage people (accounts, roles, school memberships, invitations). What an auditor
reads:

- Only an active Koordinator lists, creates, invites, imports, edits, deactivates, unlocks
  people and resets their second factor. Everyone else signed in gets 403 (the pages exist;
  their role has none), anonymous visitors the login page.
- A Koordinator cannot take away their own Koordinator role or deactivate themselves, and
  nobody can leave the office without an active Koordinator (`services.py` refuses it).
- An invitation link works for whoever holds it, once, until it expires; an unknown, used,
  withdrawn or expired link shows one and the same page.
"""

from django.core.exceptions import PermissionDenied

from peksos.accounts.models import Role, User


def may_use_people(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.KOORDINATOR


def require_people_manager(user: User) -> None:
    if not may_use_people(user):
        raise PermissionDenied
