"""Walks every URL pattern in a URLconf as every kind of visitor, and reports each answer that breaks the policy.

The expectations are a table: one row per URL name, one column per visitor. A URL that is missing from the table
is itself a problem, so a new view cannot land without someone deciding who may open it.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from incidents.models import Incident
from safeguard.models import AccessLog

SIGN_IN = "/account/sign-in/"
ANON, STAFF, DSL, DEPUTY, HEAD, INSPECTOR, GRANTED_INSPECTOR, TRUST_LEAD, OTHER_SCHOOL = (
    "anonymous",
    "staff",
    "dsl",
    "deputy_dsl",
    "headteacher",
    "inspector",  # an INSPECTOR membership, and nothing granted
    "inspector_with_grant",  # an inspector with a grant in force on one case (records.inspection_models)
    "trust_lead",
    "other_school_dsl",
)
VISITORS = [ANON, STAFF, DSL, DEPUTY, HEAD, INSPECTOR, GRANTED_INSPECTOR, TRUST_LEAD, OTHER_SCHOOL]
# "login" means: redirected to sign in. A number is the HTTP status expected.
LOGIN = "login"


def every_url_name(urlconf=None):
    """Every named pattern in the URLconf, including those of included URLconfs (namespaced)."""

    def visit(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from visit(entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
            elif isinstance(entry, URLPattern):
                yield f"{prefix}{entry.name}" if entry.name else f"{prefix}<unnamed {entry.pattern}>"

    return list(visit(get_resolver(urlconf).url_patterns, ""))


def header_problems(where, response, *, signed_in):
    """What is missing from an answer's headers: a page for someone signed in is never stored, and no page may
    use the camera, microphone or location."""
    found = []
    policy = response.get("Permissions-Policy", "")
    if not all(f"{feature}=()" in policy for feature in ("camera", "microphone", "geolocation")):
        found.append(f"{where}: no Permissions-Policy denying the camera, microphone and location")
    if signed_in and "no-store" not in response.get("Cache-Control", ""):
        found.append(f"{where}: may be stored (no Cache-Control: no-store)")
    return found


# A case a page shows: its own address, or a link to it (the case, any of its pages, or a reporter's own concern).
CASE_ADDRESS = re.compile(r"/(?:cases|concerns)/(\d+)/")


def body(response):
    """An answer's text, a download's as well (its stream is read once and kept)."""
    if not hasattr(response, "_walked_body"):
        data = b"".join(response.streaming_content) if response.streaming else response.content
        response._walked_body = data.decode(errors="replace")
    return response._walked_body


def unlogged_cases(where, response):
    """The cases an answer shows that its page did not put in the access log (for the person who asked)."""
    request = response.wsgi_request
    if response.status_code != 200 or not request.user.is_authenticated:
        return []
    cases = set(CASE_ADDRESS.findall(request.path + body(response)))
    logged = AccessLog.objects.filter(
        user=request.user, page=request.path, content_type=ContentType.objects.get_for_model(Incident)
    ).values_list("object_id", flat=True)
    missing = sorted(cases - set(logged), key=int)
    return [f"{where}: shows case {pk} but its access log has no entry from this page" for pk in missing]


def walk(*, clients, expected, url_kwargs, forbidden_text, urlconf=None, skip_prefixes=("admin:",), checks=()):
    """Request every URL as every visitor; return a list of problems (empty when the policy holds).

    forbidden_text: strings from the first school that must never appear in another school's answer.
    checks: more checks of each answer, each a function of (where, response) returning problems.
    """
    problems = []
    for name in every_url_name(urlconf):
        if name.startswith(skip_prefixes):
            continue
        if name not in expected:
            problems.append(f"{name}: not in the access table; decide who may open it")
            continue
        url = reverse(name, urlconf=urlconf, kwargs=url_kwargs.get(name))
        for visitor in VISITORS:
            want = expected[name][visitor]
            response = clients[visitor].get(url)
            got = response.status_code
            if want == LOGIN:
                if not (got == 302 and response["Location"].startswith(SIGN_IN)):
                    problems.append(f"{name} as {visitor}: expected a redirect to sign in, got {got}")
            elif got != want:
                problems.append(f"{name} as {visitor}: expected {want}, got {got}")
            problems += header_problems(f"{name} as {visitor}", response, signed_in=visitor != ANON)
            for check in checks:
                problems += check(f"{name} as {visitor}", response)
            if visitor == OTHER_SCHOOL and got == 200:
                leaked = [t for t in forbidden_text if t in body(response)]
                if leaked:
                    problems.append(f"{name} as {visitor}: shows the other school's {leaked}")
    return problems
