"""What can go wrong fetching: the errors the fetchers and the HTTP client share, and
how long a server asks to wait. Importable without requests, which a run that reads
only local copies never loads."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 60.0


class Unreachable(Exception):
    """The host could not be reached at all (no network, DNS failure, refused): the rest
    of its source is not asked either."""

    def __init__(self, url: str, error: Exception | str):
        self.url = url
        self.host = urlsplit(url).netloc
        self.reason = error if isinstance(error, str) else error.__class__.__name__
        super().__init__(f"could not reach {self.host} ({self.reason})")


class MalformedAnswer(Exception):
    """The server was reached but its answer is not HTTP (a bad status line, more than
    100 headers, a header line over 64 KB, the connection closed or reset before an
    answer, a failed TLS handshake): that item's failure, not its source's."""


def connection_failure(url: str, err: BaseException) -> Unreachable | MalformedAnswer:
    """What a connection error (requests' ConnectionError and what it wraps) means: the
    host never reached, or an answer that was not HTTP; the true reason in a few words."""
    import http.client
    import socket
    import ssl

    host = urlsplit(url).netloc
    tls = [e for e in _wrapped(err) if isinstance(e, ssl.SSLError)]
    if tls:
        innermost = tls[-1]
        if isinstance(innermost, ssl.SSLCertVerificationError):
            # every page of the host fails the same way: its source stops, in one line
            return Unreachable(
                url,
                f"its TLS certificate is not trusted: {innermost.verify_message}; a private "
                "certificate authority goes in REQUESTS_CA_BUNDLE",
            )
        why = innermost.reason or (str(innermost).splitlines() or ["TLS"])[0][:160]
        return MalformedAnswer(f"the TLS handshake with {host} failed ({why})")
    for found in _wrapped(err):
        first = (str(found).splitlines() or [found.__class__.__name__])[0][:160]
        if isinstance(found, http.client.RemoteDisconnected):
            return MalformedAnswer("the server closed the connection without an answer")
        if isinstance(found, http.client.HTTPException):
            return MalformedAnswer(
                f"a malformed answer, not HTTP ({found.__class__.__name__}: {first})"
            )
        if isinstance(found, socket.gaierror):
            return Unreachable(url, "its name is not found (DNS)")
        if isinstance(found, ConnectionRefusedError):
            return Unreachable(url, "connection refused")
        if isinstance(found, ConnectionResetError):
            return MalformedAnswer("the connection was reset before a whole answer")
    if any(e.__class__.__name__ == "ConnectTimeoutError" for e in _wrapped(err)):
        return Unreachable(url, "no connection within the timeout")
    innermost = list(_wrapped(err))[-1]
    return Unreachable(url, (str(innermost).splitlines() or ["no connection"])[0][:160])


def _wrapped(err: BaseException, limit: int = 20):
    """The error and those it wraps (arguments, ``reason``, cause, context), outermost
    first, each once."""
    seen: set[int] = set()
    waiting = [err]
    while waiting and len(seen) < limit:
        found = waiting.pop(0)
        if found is None or id(found) in seen or not isinstance(found, BaseException):
            continue
        seen.add(id(found))
        yield found
        waiting += [a for a in found.args if isinstance(a, BaseException)]
        waiting += [getattr(found, "reason", None), found.__cause__, found.__context__]


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
