"""What can go wrong fetching: the errors the fetchers and the HTTP client share, and
how long a server asks to wait. Importable without requests, which a run that reads
only local copies never loads."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 60.0


class Unreachable(Exception):
    """The host could not be reached at all (no network, DNS failure, refused)."""

    def __init__(self, url: str, error: Exception):
        self.url = url
        self.host = urlsplit(url).netloc
        super().__init__(f"could not reach {self.host}: {error.__class__.__name__}")


class RetryableStatus(Exception):
    """A 429 or 5xx answer, retried with backoff."""

    def __init__(self, status: int, retry_after: float | None, url: str):
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"HTTP {status} from {url}")


class TooLarge(Exception):
    """The body is larger than the configured cap."""


class TotalTimeout(Exception):
    """The answer took longer than the source's timeout in all (a body trickled slowly)."""


class HeadersTimeout(TotalTimeout):
    """No status line and headers within the timeout: a server that stalls or trickles
    them; retried as a read timeout is (the server may only have been busy)."""


# Every answer is capped, also where a source sets no cap of its own.
DEFAULT_MAX_BYTES = 50_000_000


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils  # here: only an HTTP answer has a Retry-After date

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
