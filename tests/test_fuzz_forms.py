"""No input to any form gives a server error, whoever sends it (issue 8, section 6).

The CI run ("ci" profile) sends a few inputs to each form and fits in well under a minute. The long run sends at
least 10,000 and prints what it covered:

    .venv/bin/python -m pytest -p no:cacheprovider -m fuzz_long -s tests/test_fuzz_forms.py
"""

import logging
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import settings

from safeguard.roles import Role
from tests import test_access_matrix
from tests.factories import TEST_PASSWORD, member, two_factor_code
from tests.fuzz_forms import Fields, FormReader, Target, check, discover, fuzz

pytestmark = pytest.mark.django_db

# The access walk's world: its visitors, signed in, and a record of every kind for the URLs' sample arguments.
world = test_access_matrix.world
LONG_RUN_EXAMPLES = 10_000
BEFORE_SECOND_FACTOR = "dsl_before_second_factor"


@pytest.fixture
def clients(world, school):
    """The access walk's visitors, and one more: a DSL past the password, not yet past the second factor."""
    dsl = member(Role.DSL, school=school)
    two_factor_code(dsl)  # a confirmed authenticator, so signing in asks for its code next
    halfway = Client()
    halfway.post(reverse("login"), {"username": dsl.username, "password": TEST_PASSWORD})
    return {**world["clients"], BEFORE_SECOND_FACTOR: halfway}


def summary(run):
    def fields(target):
        count = len(target.fields.names | target.fields.files)
        return f"{count} fields" if count else "no form on any page, but takes a POST"

    targets = sorted(run.targets, key=lambda t: (t.method, t.name))
    lines = [
        f"forms covered: {len(targets)}",
        *(f"  {t.method} {t.name} ({fields(t)}; let in: {', '.join(t.visitors) or 'no one'})" for t in targets),
        f"examples run: {run.examples}",
        f"server errors found: {len(run.errors)}",
        *(f"  {error}" for error in run.errors),
        f"time: {run.seconds:.1f} s",
    ]
    return "\n".join(lines)


def run_fuzz(world, clients, profile):
    # Every refusal is logged (an oversized body as a security error) and every sign-in by django-axes: thousands of
    # lines that would hide the summary.
    for name in ("django.request", "django.security", "axes"):
        logging.getLogger(name).setLevel(logging.ERROR)
    targets = discover(clients, world["url_kwargs"], test_access_matrix.EXPECTED)
    run = fuzz(targets, clients, profile=profile)
    print("\n" + summary(run))
    return run


def test_no_form_gives_a_server_error(world, clients):
    run = run_fuzz(world, clients, "ci")
    # The walk found the forms it should: the concern form, case work, the register upload, and sign-in.
    covered = {(t.method, t.name) for t in run.targets}
    assert {("POST", "incidents:concern_new"), ("POST", "pupil_import"), ("POST", "login")} <= covered
    assert ("GET", "incidents:case_list") in covered  # the case search, a GET form
    assert "file" in next(t for t in run.targets if t.name == "pupil_import").fields.files
    second_factor = next(t for t in run.targets if t.name == "two_factor")
    assert "token" in second_factor.fields.names and BEFORE_SECOND_FACTOR in second_factor.visitors
    assert run.errors == []


@pytest.mark.fuzz_long
def test_no_form_gives_a_server_error_in_a_long_run(world, clients):
    per_form = settings.get_profile("long").max_examples
    run = run_fuzz(world, clients, "long")
    assert run.examples >= LONG_RUN_EXAMPLES, f"raise the long profile's max_examples ({per_form} per form)"
    assert run.errors == []


def test_the_fuzzer_reports_a_server_error_with_the_input_that_caused_it(settings):
    """A view that fails on a null byte: the check names the form, the visitor and what was sent."""
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client = Client(raise_request_exception=False)
    target = Target("login", "POST", "/account/sign-in/", Fields(names={"username"}), ["anonymous"], [])
    assert check(client, target, "anonymous", [("username", "ann")], [], False, None) == []

    failing = Target("boom", "POST", "/no-such-page/", Fields(), ["anonymous"], [])
    with mock.patch("tests.fuzz_forms.send", side_effect=ValueError("A string literal cannot contain NUL")):
        (problem,) = check(client, failing, "anonymous", [("name", "a\x00b")], [], False, None)
    assert problem.startswith("POST /no-such-page/ (boom) as anonymous with {'name': 'a\\x00b'}")
    assert problem.endswith("ValueError: A string literal cannot contain NUL")


def test_forms_are_read_from_the_page_with_their_fields_files_and_choices():
    reader = FormReader("/cases/7/")
    reader.feed(
        '<form method="post" action="owner/" enctype="multipart/form-data"><input name="csrfmiddlewaretoken" '
        'type="hidden" value="t"><select name="owner"><option value="">-</option><option value="3">Ann</option>'
        '</select><textarea name="reason"></textarea><input type="file" name="file"></form>'
        '<form><input name="q" hx-get="/cases/pupils/"></form><a href="/cases/?state=open&amp;after=x_1">Next</a>'
    )
    owner = reader.forms[("POST", "/cases/7/owner/")]
    assert owner.names == {"csrfmiddlewaretoken", "owner", "reason"} and owner.files == {"file"}
    assert owner.offered["owner"] == {"3"}
    assert reader.forms[("GET", "/cases/7/")].names == {"q"}
    assert reader.forms[("GET", "/cases/pupils/")].names == {"q"}
    assert reader.forms[("GET", "/cases/")].offered == {"state": {"open"}, "after": {"x_1"}}
