"""Measuring over HTTP: each page's latency over sequential requests, and throughput under concurrent load.

A plain client (http.client, a new connection per request, since gunicorn's sync workers close each one) that
only ever talks to 127.0.0.1, with a bounded number of requests and a deadline. It runs on the same two cores as
the server, for the app and the floor alike, so their ratio is fair. Each request says it came through an HTTPS
proxy (X-Forwarded-Proto), as production expects, and carries the session cookie a signed-in browser would.
The SQL query count of a request comes back in the X-Bench-Queries header (bench/counting.py).
"""

import http.client
import math
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .counting import HEADER

CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
WARM_UP = 3  # untimed requests first, so both workers have loaded their code and templates


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str
    seconds: float

    @property
    def queries(self):
        return int(self.headers.get(HEADER, -1))


def request(address, path, cookies, *, method="GET", form=None, headers=None):
    host, port = address.split(":")
    body = urlencode(form, doseq=True) if form is not None else None
    sent = {"X-Forwarded-Proto": "https", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    sent.update(headers or {})
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, int(port), timeout=900)
    try:
        connection.request(method, path, body=body, headers=sent)
        reply = connection.getresponse()
        text = reply.read().decode("utf-8", "replace")
    finally:
        connection.close()
    return Response(reply.status, reply.headers, text, time.perf_counter() - started)


def percentile(values, share):
    """Nearest-rank percentile of `values` (share in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Timing:
    seconds: list = field(default_factory=list)
    queries: int = -1
    case_links: int = 0

    @property
    def p50(self):
        return percentile(self.seconds, 0.5)

    @property
    def p95(self):
        return percentile(self.seconds, 0.95)


def _expect(response, status, what):
    if response.status != status:
        raise RuntimeError(f"{what}: HTTP {response.status}, expected {status}: {response.body[:500]!r}")


def time_page(address, path, cookies, *, requests, budget, minimum=5):
    """`requests` sequential GETs of `path`, or fewer (never under `minimum`) once `budget` seconds are spent."""
    timing = Timing()
    for _ in range(WARM_UP):
        _expect(request(address, path, cookies), 200, path)
    started = time.monotonic()
    while len(timing.seconds) < requests:
        if len(timing.seconds) >= minimum and time.monotonic() - started > budget:
            break
        response = request(address, path, cookies)
        _expect(response, 200, path)
        timing.seconds.append(response.seconds)
        timing.queries = response.queries
        timing.case_links = len(set(CASE_LINK.findall(response.body)))
    return timing


def _set_cookie(response, name):
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


def time_concern_post(address, cookies, csrf_cookie_name, form, *, requests, budget, minimum=5):
    """Log and submit a concern `requests` times as a member of staff, as the browser would post the form.

    The form page is fetched first for its CSRF cookie and hidden token; only the POSTs are timed, after a few
    untimed ones (each one logs a real concern, which the team's pages then show).
    """
    page = request(address, "/concerns/new/", cookies)
    _expect(page, 200, "the concern form")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    cookies = {**cookies, csrf_cookie_name: _set_cookie(page, csrf_cookie_name) or cookies.get(csrf_cookie_name)}
    origin = {"Origin": f"https://{address}", "Referer": f"https://{address}/concerns/new/"}
    form = {**form, "csrfmiddlewaretoken": token}

    def post():
        response = request(address, "/concerns/new/", cookies, method="POST", form=form, headers=origin)
        _expect(response, 302, "submitting a concern")
        if not re.fullmatch(r"/concerns/\d+/", response.headers.get("Location", "")):
            raise RuntimeError(f"submitting a concern went to {response.headers.get('Location')}")
        return response

    for _ in range(WARM_UP):
        post()
    timing = Timing()
    started = time.monotonic()
    while len(timing.seconds) < requests:
        if len(timing.seconds) >= minimum and time.monotonic() - started > budget:
            break
        response = post()
        timing.seconds.append(response.seconds)
        timing.queries = response.queries
    return timing


@dataclass
class Throughput:
    requests: int  # answered within the window
    errors: int
    late: int  # still in flight when the window closed: in the latencies, not in `requests`
    seconds: float
    latencies: list
    queries: int

    @property
    def per_second(self):
        return self.requests / self.seconds

    @property
    def p50(self):
        return percentile(self.latencies, 0.5)

    @property
    def p95(self):
        return percentile(self.latencies, 0.95)


def throughput(address, path, cookies, *, concurrency, duration, limit=100_000):
    """`concurrency` connections asking for `path` back to back for `duration` seconds (and `limit` requests).

    Requests/s counts the answers that came within the window, as load tools such as wrk do. A request still in
    flight when it closes is waited for (no connection is left open): its latency counts, since leaving out the
    slowest answers would flatter a slow server, but it does not count as answered in the window.
    """
    for _ in range(WARM_UP):
        _expect(request(address, path, cookies), 200, path)
    lock = threading.Lock()
    latencies, counts, queries = [], {"answered": 0, "errors": 0, "late": 0}, [-1]
    started = time.monotonic()
    deadline = started + duration

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if len(latencies) + counts["errors"] >= limit:
                    return
            try:
                response = request(address, path, cookies)
            except OSError:
                response = None
            with lock:
                if response is None or response.status != 200:
                    counts["errors"] += 1
                    continue
                latencies.append(response.seconds)
                queries[0] = response.queries
                counts["answered" if time.monotonic() <= deadline else "late"] += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Throughput(counts["answered"], counts["errors"], counts["late"], duration, latencies, queries[0])
