"""HTTP for the fetchers: one session, polite retries, conditional requests, a size cap."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
)

from kbuild import __version__
from kbuild.fetch.errors import (
    DEFAULT_MAX_BYTES,
    MAX_RETRY_AFTER,
    RETRY_STATUSES,
    HeadersTimeout,
    RetryableStatus,
    TooLarge,
    TotalTimeout,
    connection_failure,
    parse_retry_after,
)

USER_AGENT = (
    f"kbuild/{__version__} (+https://github.com/kbuild; provenance-keeping LLM knowledge base)"
)


def backoff_wait(base: float, cap: float = 60.0):
    """A tenacity wait: the server's Retry-After when it sent one, else exponential."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER)
        return min(cap, base * 2 ** (state.attempt_number - 1))

    return wait


def _retryable(err: BaseException) -> bool:
    if isinstance(err, RetryableStatus):
        # a server asking to wait longer than we would is not waited for
        return err.retry_after is None or err.retry_after <= MAX_RETRY_AFTER
    return isinstance(err, requests.Timeout | HeadersTimeout)


def retrying(retries: int, backoff: float) -> Retrying:
    """Retry 429/5xx answers ``retries`` times, waiting as :func:`backoff_wait` says."""
    return Retrying(
        retry=retry_if_exception(_retryable),
        wait=backoff_wait(backoff),
        stop=stop_after_attempt(retries + 1),
        reraise=True,
    )


@dataclass
class Fetched:
    """One HTTP answer, as stored."""

    url: str
    final_url: str
    status: int
    content: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None

    @property
    def not_modified(self) -> bool:
        """Whether the server answered 304 Not Modified."""
        return self.status == 304


class HttpClient:
    """A requests session with retries, conditional GETs and a body size cap."""

    def __init__(
        self,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ):
        self.max_bytes = max_bytes
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.requests_made = 0

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        accept: str | None = None,
    ) -> Fetched:
        """GET ``url``, retrying 429/5xx; raises :class:`Unreachable` when the host is down."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        for attempt in retrying(self.retries, self.backoff):
            with attempt:
                return self._get_once(url, headers, max_bytes)
        raise AssertionError("unreachable")  # pragma: no cover - Retrying re-raises

    def _get_once(self, url: str, headers: dict, max_bytes: int | None) -> Fetched:
        self.requests_made += 1
        start = time.monotonic()
        response = self._headers_within(url, headers)
        with response:
            if response.status_code in RETRY_STATUSES:
                raise RetryableStatus(
                    response.status_code,
                    parse_retry_after(response.headers.get("Retry-After")),
                    url,
                )
            left = max(self.timeout - (time.monotonic() - start), 0.1)
            content = read_bounded(response, max_bytes or self.max_bytes, left, total=self.timeout)
        return Fetched(
            url=url,
            final_url=response.url,
            status=response.status_code,
            content=content,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            content_type=response.headers.get("Content-Type"),
        )

    def _headers_within(self, url: str, headers: dict) -> requests.Response:
        """The answer's status and headers within the total timeout (see
        :func:`answer_within`); on a timeout the session the stalled request holds is
        given up (a new one takes the next request)."""
        session = self.session
        try:
            return answer_within(
                lambda: session.get(url, headers=headers, timeout=self.timeout, stream=True),
                self.timeout,
            )
        except HeadersTimeout:
            self.session = requests.Session()
            self.session.headers.update(session.headers)
            raise
        except requests.ConnectionError as err:
            raise connection_failure(url, err) from err


def answer_within(send: Callable[[], requests.Response], timeout: float) -> requests.Response:
    """What ``send`` returns (a streamed answer: its status and headers), within
    ``timeout`` in all: requests' timeout is per read, which lets a server that sends
    its headers a byte a second run for ever, so the request runs in a thread that is
    no longer waited for when the time is up (its socket closes with the process)."""
    found: dict = {}

    def ask() -> None:
        try:
            found["response"] = send()
        except BaseException as err:  # handed to the caller's thread as it is
            found["error"] = err

    worker = threading.Thread(target=ask, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise HeadersTimeout(f"no status line and headers within {timeout:g} s")
    if "error" in found:
        raise found["error"]
    return found["response"]


def read_bounded(
    response: requests.Response, max_bytes: int, seconds: float, total: float | None = None
) -> bytes:
    """The body, decoded (gzip included), at most ``max_bytes`` of it, within ``seconds``
    (what is left of the answer's ``total`` timeout, which the message names) in all: a
    per-read timeout alone lets a body trickled a byte at a time run for hours, so a
    timer closes the connection when the time is up."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"{declared} bytes is over the {max_bytes}-byte cap")
    expired = threading.Event()
    # Shut the socket itself down when time is up: closing the response would wait for
    # the lock the blocked read holds (a 64 KB read of a declared-length body trickled a
    # byte a second holds it for hours).
    sock = _socket_of(response)

    def expire() -> None:
        expired.set()
        try:
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
            else:
                response.close()
        except OSError:
            pass

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"more than the {max_bytes}-byte cap")
            chunks.append(chunk)
    except (requests.RequestException, OSError, ValueError, AttributeError) as err:
        if expired.is_set():
            raise TotalTimeout(f"no whole answer within {total or seconds:g} s") from None
        raise requests.exceptions.ChunkedEncodingError(f"the answer broke off: {err}") from err
    finally:
        timer.cancel()
    if expired.is_set():
        raise TotalTimeout(f"no whole answer within {total or seconds:g} s")
    return b"".join(chunks)


def _socket_of(response: requests.Response) -> socket.socket | None:
    """The socket an answer is read from: the connection's while it is kept alive; the
    one http.client's file wraps when the server said ``Connection: close`` (the
    connection has let go of it by then)."""
    sock = getattr(getattr(response.raw, "_connection", None), "sock", None)
    if sock is None:
        fp = getattr(getattr(response.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


class BoundedSession(requests.Session):
    """A session whose every answer has a total timeout and a byte cap: for the arxiv
    package, which calls ``session.get(url, headers=...)`` with neither."""

    def __init__(self, timeout: float, max_bytes: int = DEFAULT_MAX_BYTES):
        super().__init__()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        kwargs["stream"] = True
        start = time.monotonic()
        response = answer_within(
            lambda: super(BoundedSession, self).request(method, url, *args, **kwargs),
            self.timeout,
        )
        left = max(self.timeout - (time.monotonic() - start), 0.1)
        with response:
            response._content = read_bounded(response, self.max_bytes, left, total=self.timeout)
        return response
