"""A service's "no".

`Refusal` is the one exception a service raises when a rule says no (a date on a holiday, a
form sent after its activity closed). It is a `ValidationError`, so forms take it with
`form.add_error(None, exc)`, and `peksos.core.actions.run_step` turns it into an error message;
its `messages` are in the user's language. Creating something once per submitted form is
`peksos.core.idempotency`.
"""

from django.core.exceptions import ValidationError


class Refusal(ValidationError):
    """A rule of the programme said no; `messages` says why."""
