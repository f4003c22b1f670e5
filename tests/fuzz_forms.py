"""Finds every form the URLconf has and posts random input to it as every kind of visitor (issue 8, section 6).

The URLs and the visitors come from the access walk (tests.access_matrix and its table), so a page added there is
fuzzed too. Each page is opened as each visitor and its forms read from the HTML: the field names, the file fields
and the values offered (options, radio buttons, hidden fields). A form is then sent input drawn by Hypothesis:
fields left out or repeated, extra names, offered values, dates and ids, unicode (right-to-left, emoji, lone
surrogates sent as the bytes a careless client would send), null bytes, values of up to 200,000 characters, and
random files. Any answer of 500 or more, or an exception, is a server error, reported with the input that caused it.
"""

import copy
import functools
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote_plus, urljoin, urlsplit

from django.core.cache import cache
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.access_matrix import SIGN_IN, every_url_name

# "ci" fits the whole walk in well under a minute on two cores; "long" sends at least 10,000 inputs in all.
# Both are derandomized and keep no example database, so a run is repeatable and leaves nothing behind.
_common = dict(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no "explain" phase: it runs a failing input again
    # A 200,000-character value is one draw, not a slow or large example in Hypothesis's sense.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile("ci", max_examples=5, **_common)
settings.register_profile("long", max_examples=200, **_common)

BOUNDARY = "FuzzBoundary7MA4YWxkTrZu0gW"
# Characters that break careless code: null byte, right-to-left override and Arabic, emoji and a joiner, a lone
# surrogate (no valid UTF-8 exists for it), quotes, markup, CSV formula and line breaks.
AWKWARD = [
    "\x00",
    "\u202e",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "👩‍👧",
    "\ud800",
    "\udfff",
    '"',
    "'",
    "<",
    "=",
    "\r\n",
    "\t",
]
# Values that a field may half-accept: dates in several shapes, numbers out of every range, words a choice knows.
PLAUSIBLE = [
    "",
    " ",
    "0",
    "1",
    "-1",
    "2",
    str(2**31),
    str(2**63),
    "9" * 40,
    "1e308",
    "NaN",
    "2026-11-20",
    "2026-02-30",
    "20/11/2026",
    "0001-01-01",
    "9999-12-31",
    "2026-11-20T10:30",
    "2026-11-20 10:30",
    "10:30",
    "25:61",
    "yes",
    "no",
    "not_yet_known",
    "on",
    "true",
    "False",
    "None",
    "null",
    "[]",
    "{}",
    "/cases/",
    "//example.org/",
    "https://example.org/",
    "a-long-test-password",
    "123456",
    # Page cursors (safeguard.keyset): one of ours, one without an offset, ones that leave the calendar in UTC.
    "2026-11-20T10:30:00+00:00_1",
    "2026-11-20T10:30:00_1",
    "0001-01-01T00:00:00+01:00_1",
    "9999-12-31T23:59:59-01:00_99999999999999999999",
]
# Names that views read outside any form: from links (pages, cursors) and redirects after sign-in.
QUERY_NAMES = ["next", "page", "after", "before"]
# Content types a form may be told a file has, right or wrong.
CONTENT_TYPES = ["text/csv", "text/plain", "application/pdf", "image/jpeg", "video/mp4", "application/octet-stream", ""]
FILE_STARTS = [
    b"",
    b"\xff\xd8\xff\xe0\x00\x10JFIF",
    b"%PDF-1.7\n",
    b"upn,first_name,last_name\n",
    b"\xef\xbb\xbf",
    b"\x00",
]


@dataclass
class Fields:
    """What the pages tell about one form target: its field names, which are files, and the values offered."""

    names: set = field(default_factory=set)
    files: set = field(default_factory=set)
    offered: dict = field(default_factory=dict)
    live: set = field(default_factory=set)  # fields that ask as a live search (htmx names them in a header)

    def add(self, name, value=None, is_file=False):
        (self.files if is_file else self.names).add(name)
        if value not in (None, ""):
            self.offered.setdefault(name, set()).add(value)


class FormReader(HTMLParser):
    """The forms of one page, keyed by (method, path they send to); a live search (hx-get/hx-post) counts as one."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms = {}
        self.current = None
        self.select = None

    def target(self, method, action):
        path = urlsplit(urljoin(self.page, action or self.page)).path
        return self.forms.setdefault((method.upper(), path), Fields())

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self.current = self.target(attrs.get("method") or "get", attrs.get("action"))
        for live in ("hx-get", "hx-post"):
            if name and attrs.get(live):
                self.target(live[3:], attrs[live]).add(name)
                self.target(live[3:], attrs[live]).live.add(name)
        if tag == "a" and "?" in attrs.get("href", ""):
            href = urljoin(self.page, attrs["href"])
            for query_name, value in parse_qsl(urlsplit(href).query, keep_blank_values=True):
                self.target("get", href).add(query_name, value)
        if tag == "option" and self.select:
            self.select[1].add(self.select[0], attrs.get("value"))
        if self.current is None or not name:
            return
        if tag == "input":
            self.current.add(name, attrs.get("value"), is_file=attrs.get("type") == "file")
        elif tag in ("textarea", "button"):
            self.current.add(name, attrs.get("value"))
        elif tag == "select":
            self.current.add(name)
            self.select = (name, self.current)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


@dataclass
class Target:
    """One form to fuzz: the URL's name, a path with real objects in it, how it is sent, and who gets past the door."""

    name: str
    method: str
    path: str
    fields: Fields
    visitors: list
    refused: list


def discover(clients, url_kwargs, expected, skip_prefixes=("admin:",)):
    """Every form target of the URLconf, and who gets past each one's door.

    Every URL of the access table is opened as every visitor; the forms found are keyed by the URL name they send
    to (the first real path seen is kept, so a form about a real record is fuzzed on that record). A URL with no
    form seen is still a target if it takes a POST: one empty POST from a visitor let in tells (405 if not).
    A visitor turned away from the page (sign in, 403, 404) is turned away from its form.
    """
    found, pages, let_in = {}, {}, {}
    for name in every_url_name():
        if name.startswith(skip_prefixes) or name not in expected:
            continue
        pages[name] = page = reverse(name, kwargs=url_kwargs.get(name))
        for visitor, client in clients.items():
            response = client.get(page)
            if not turned_away(response):
                let_in.setdefault(name, []).append(visitor)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                reader = FormReader(page)
                reader.feed(response.content.decode())
                for (method, path), fields in reader.forms.items():
                    try:
                        key = (method, resolve(path).view_name)
                    except Resolver404:
                        continue
                    merged = found.setdefault(key, (path, Fields()))[1]
                    merged.names |= fields.names
                    merged.files |= fields.files
                    merged.live |= fields.live
                    for field_name, values in fields.offered.items():
                        merged.offered.setdefault(field_name, set()).update(values)
    for name, page in pages.items():
        visitors = let_in.get(name, [])
        if ("POST", name) not in found and visitors:
            with rolled_back(clients[visitors[0]]):
                if clients[visitors[0]].post(page).status_code != 405:
                    found[("POST", name)] = (page, Fields())
    targets = []
    for (method, name), (path, fields) in sorted(found.items()):
        visitors = let_in.get(name, [])
        refused = [visitor for visitor in clients if visitor not in visitors]
        targets.append(Target(name, method, path, fields, visitors, refused))
    return targets


def turned_away(response):
    return response.status_code in (403, 404) or (
        response.status_code == 302 and response["Location"].startswith(SIGN_IN)
    )


class rolled_back:
    """Run one request and undo everything it did: its database writes (a savepoint), the cache (where sessions are
    read first) and the visitor's cookies (a sign-out or a school switch must not change the next example)."""

    def __init__(self, client):
        self.client = client

    def __enter__(self):
        self.cookies = copy.deepcopy(self.client.cookies)
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        self.atomic.__exit__(*exc)
        cache.clear()
        self.client.cookies = self.cookies
        return False


@functools.lru_cache(maxsize=64)
def quoted(text):
    # The same enormous values come up again and again, and quoting 200,000 characters is slow.
    return quote_plus(as_bytes(text))


def as_bytes(text):
    # A lone surrogate cannot be UTF-8; a careless client sends its bytes anyway, and the server must cope.
    return text.encode("utf-8", "surrogatepass")


awkward_text = st.lists(
    st.one_of(st.sampled_from(AWKWARD), st.characters(codec=None, exclude_categories=())), max_size=16
).map("".join)
huge_text = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["x", "é", "👩‍👧", "\x00", "a b "]),
    st.sampled_from([1_001, 1_001, 65_536, 131_073, 200_000]),
)


@st.composite
def form_input(draw, fields):
    """(name, value) pairs, (name, filename, bytes, content type) files, whether multipart, and the field an
    htmx request names (or None), for a form with `fields`."""
    names = sorted(fields.names)
    if names and draw(st.booleans()):
        chosen = names  # every field, so the input can get past "this field is required" into the rules
    else:
        chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    chosen += draw(st.lists(st.one_of(awkward_text, st.sampled_from(names + QUERY_NAMES)), max_size=3))
    pairs = []
    for name in chosen:
        offered = sorted(fields.offered.get(name, ()))
        # Mostly values a form half-accepts, so the input reaches the rules; now and then one enormous value.
        plausible = st.sampled_from(offered + PLAUSIBLE)
        # A plausible value with an awkward character inside, such as a name with a null byte in it.
        spoiled = st.tuples(plausible, st.sampled_from(AWKWARD), plausible).map("".join)
        value = st.one_of(*[plausible] * 4, *[spoiled] * 2, *[awkward_text] * 3, huge_text)
        pairs += [(name, draw(value)) for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3])))]
    files = []
    for name in sorted(fields.files):
        if draw(st.booleans()):
            content = draw(st.sampled_from(FILE_STARTS)) + draw(st.binary(max_size=300))
            filename = draw(st.one_of(st.sampled_from(["register.csv", "photo.jpg", "a.csv.mp4", ""]), awkward_text))
            files.append((name, filename, content, draw(st.sampled_from(CONTENT_TYPES))))
    multipart = bool(files) or draw(st.booleans())
    # Sometimes sent as htmx sends a live search: the field that asks is named in a header.
    live = sorted(fields.live)
    htmx = draw(st.sampled_from(live) if live else st.one_of(st.none(), st.sampled_from(names + QUERY_NAMES)))
    return pairs, files, multipart, htmx


def encode(pairs, files, multipart):
    """The request body (or query) and its content type, built by hand so that any bytes at all can be sent."""
    if not multipart:
        return "&".join(f"{quoted(k)}={quoted(v)}" for k, v in pairs), "application/x-www-form-urlencoded"
    parts = []
    for name, value in pairs:
        parts.append(b'Content-Disposition: form-data; name="%s"\r\n\r\n%s' % (as_bytes(name), as_bytes(value)))
    for name, filename, content, content_type in files:
        head = b'Content-Disposition: form-data; name="%s"; filename="%s"\r\n' % (as_bytes(name), as_bytes(filename))
        parts.append(head + b"Content-Type: %s\r\n\r\n%s" % (content_type.encode(), content))
    boundary = BOUNDARY.encode()
    body = b"".join(b"--%s\r\n%s\r\n" % (boundary, part) for part in parts) + b"--%s--\r\n" % boundary
    return body, f"multipart/form-data; boundary={BOUNDARY}"


def send(client, target, pairs, files, multipart, htmx):
    headers = {"HX-Request": "true", "HX-Trigger-Name": htmx} if htmx else {}
    if target.method == "GET":
        query, _ = encode(pairs, [], False)
        return client.generic("GET", f"{target.path}?{query}", headers=headers)
    body, content_type = encode(pairs, files, multipart)
    return client.generic("POST", target.path, body, content_type=content_type, headers=headers)


def describe(pairs, files):
    """The input, short enough to read in a report: long values are cut, with their length given."""

    def cut(value):
        return repr(value) if len(value) <= 80 else f"{value[:40]!r}... ({len(value):,} characters)"

    shown = [f"{name!r}: {cut(value)}" for name, value in pairs]
    shown += [
        f"file {name!r}: {filename!r}, {len(content)} bytes, {ctype!r}" for name, filename, content, ctype in files
    ]
    return "{" + ", ".join(shown) + "}"


@dataclass
class Run:
    """What a fuzz run did: the targets it covered, the inputs it sent, the server errors it found."""

    targets: list = field(default_factory=list)
    examples: int = 0
    errors: list = field(default_factory=list)
    seconds: float = 0.0


def fuzz(targets, clients, profile="ci"):
    """Send each target random input as each visitor who gets past its door; return what happened."""
    run = Run(targets=targets)
    started = time.monotonic()
    for target in targets:
        # Visitors who are turned away are checked with one awkward input each: the door must not fail either.
        for visitor in target.refused:
            run.examples += 1
            run.errors += check(clients[visitor], target, visitor, [("\x00", "\ud800" * 3)], [], True, None)
        if target.visitors:
            run.errors += fuzz_target(target, clients, run, settings.get_profile(profile))
    run.seconds = time.monotonic() - started
    return run


def fuzz_target(target, clients, run, profile):
    """Hypothesis's search on one target; [] or the server errors it found, each shrunk to a small input."""

    @settings(profile)
    @given(visitor=st.sampled_from(target.visitors), sent=form_input(target.fields))
    def example(visitor, sent):
        run.examples += 1
        problems = check(clients[visitor], target, visitor, *sent)
        assert not problems, problems[0]

    try:
        example()
    except AssertionError as failure:
        return [str(failure)]
    except ExceptionGroup as failures:  # more than one distinct error on this target
        return [str(failure) for failure in failures.exceptions]
    return []


def check(client, target, visitor, pairs, files, multipart, htmx):
    """[] if the target answered below 500; else one line naming the target, the visitor, the input and the error."""
    where = f"{target.method} {target.path} ({target.name}) as {visitor} with {describe(pairs, files)}"
    if htmx:
        where += f" (htmx, for {htmx!r})"
    try:
        with rolled_back(client):
            response = send(client, target, pairs, files, multipart, htmx)
    except Exception as error:  # any exception at all is the server error being looked for
        return [f"{where}: {type(error).__name__}: {error}"[:2000]]
    if response.status_code >= 500:
        return [f"{where}: answered {response.status_code}"[:2000]]
    return []
