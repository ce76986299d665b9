from django.utils import timezone


def epoch_now() -> int:
    """Seconds since the epoch, from timezone.now() (so tests can travel in time)."""
    return int(timezone.now().timestamp())
