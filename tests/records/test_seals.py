"""Sealed records (issue 9 §5): closing seals the record, a change behind the service's back is found, later
information is a signed addendum, reopening keeps the old seal and the next closure seals again."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from incidents import services as cases
from incidents.errors import CaseReadOnly, ReauthenticationFailed, RuleBroken
from incidents.models import CaseState, ChronologyEntry, Closure, EntryKind
from incidents.restriction import case_restrict
from records.models import Addendum, Seal
from records.services import seals
from referrals import services as referrals
from tests.conftest import postgres_only
from tests.factories import TEST_PASSWORD


def raw(sql, *params):
    """Change a row behind the services' back, as someone with database access might."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def failed_ids(result=None):
    result = result or seals.verify()
    return {failure.incident_id for failure in result.failures}


def test_closing_a_case_seals_its_record(case_in, dsl):
    case = case_in("closed")
    seal = Seal.objects.get(incident=case)
    assert seal.sealed_by == dsl and len(seal.sha256) == 64
    assert seal.closure == Closure.objects.get(incident=case)
    assert seal.sha256 == seals.record_sha256(case)
    # The seal covers the closure, the move into "closed", and its own line in the chronology.
    assert set(seal.manifest["parts"]) >= {"incidents.incident", "incidents.closure", "referrals.signoff"}
    # The line stating the seal comes just after what it covers, and names its hash.
    last = ChronologyEntry.objects.filter(incident=case).order_by("-pk").first()
    assert last == seal.entry and seal.sha256 in last.text
    assert last.pk > seal.manifest["parts"]["incidents.chronologyentry"]["upto"]
    result = seals.verify()
    assert result.ok and result.records_checked == 1


def test_the_seal_is_taken_inside_the_closing_transaction(case_in, dsl, monkeypatch):
    case = case_in("managed_in_school")

    def broken(*args, **kwargs):
        raise RuntimeError("hashing failed")

    monkeypatch.setattr(seals, "sha256_of", broken)
    with pytest.raises(RuntimeError):
        cases.case_close(actor=dsl, incident=case, summary="Plan completed.", password=TEST_PASSWORD)
    case.refresh_from_db()
    assert case.state == CaseState.MANAGED_IN_SCHOOL
    assert not Closure.objects.filter(incident=case).exists() and not Seal.objects.exists()


def test_the_hash_is_of_a_canonical_serialisation():
    import datetime
    import decimal

    when = datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    data = {"b": [decimal.Decimal("1.50"), datetime.date(2026, 1, 2)], "a": when, "c": "é"}
    assert seals.canonical_json(data) == (
        '{"a":"2026-01-02T02:04:05.000006Z","b":["1.5","2026-01-02"],"c":"é"}'.encode()
    )
    assert seals.sha256_of(data) == seals.sha256_of(dict(reversed(list(data.items()))))


def test_a_case_field_changed_with_raw_sql_is_reported(case_in):
    sealed, untouched = case_in("closed"), case_in("closed")
    raw("UPDATE incidents_incident SET location = %s WHERE id = %s", "somewhere else", sealed.pk)
    result = seals.verify()
    assert failed_ids(result) == {sealed.pk}
    assert result.records_checked == 2
    assert "no longer matches its seal" in result.failures[0].problem
    assert untouched.pk not in failed_ids(result)


def test_an_entry_changed_or_added_with_raw_sql_is_reported(case_in):
    case = case_in("closed")
    action = cases.action_add  # the services refuse; the database does not
    with pytest.raises(CaseReadOnly):
        action(actor=case.closed_by, incident=case, description="Late action")
    raw("UPDATE incidents_involvement SET own_account = %s WHERE incident_id = %s", "rewritten", case.pk)
    assert failed_ids() == {case.pk}


def test_a_row_added_to_a_sealed_record_with_raw_sql_is_reported(case_in, dsl):
    case = case_in("closed")
    raw(
        "INSERT INTO incidents_action (incident_id, description, status, created_by_id, created_at, done_notes, "
        "not_taken_reason, carried_over_reason) VALUES (%s, 'Added later', 'open', %s, %s, '', '', '')",
        case.pk,
        dsl.pk,
        case.closed_at,
    )
    assert failed_ids() == {case.pk}


def test_sqlite_chronology_rewrite_is_reported_and_postgresql_refuses_it(case_in):
    case = case_in("closed")
    sql = "UPDATE incidents_chronologyentry SET text = 'rewritten' WHERE incident_id = %s"
    if connection.vendor == "postgresql":
        from django.db import transaction
        from django.db.utils import ProgrammingError

        with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
            raw(sql, case.pk)
        assert seals.verify().ok
    else:
        raw(sql, case.pk)
        assert failed_ids() == {case.pk}


def test_every_service_refuses_to_change_a_sealed_record(case_in, dsl):
    case = case_in("closed")
    person = case.involvements.get()
    attempts = [
        lambda: cases.note_add(actor=dsl, incident=case, text="More"),
        lambda: cases.action_add(actor=dsl, incident=case, description="More"),
        lambda: cases.involvement_add(actor=dsl, incident=case, other_name="Someone", part="witness"),
        lambda: cases.involvement_record_account(actor=dsl, involvement=person, own_account="Words"),
        lambda: cases.incident_assign_owner(actor=dsl, incident=case, owner=dsl),
        lambda: cases.incident_classify(
            actor=dsl, incident=case, categories=["contact"], harm_kind="cyberbullying", reason="Wrong"
        ),
        lambda: referrals.referral_make(
            actor=dsl, incident=case, agency="police", method="phone", information_shared="All"
        ),
        lambda: referrals.parent_contact_record(actor=dsl, involvement=person, told=False, reasons_not_told="Risk"),
    ]
    for attempt in attempts:
        with pytest.raises(CaseReadOnly):
            attempt()
    assert seals.verify().ok


def test_who_may_see_a_closed_case_can_change_without_breaking_its_seal(case_in, dsl):
    case = case_in("closed")
    case_restrict(actor=dsl, incident=case, members=[dsl], reason="The deputy knows the family")
    assert seals.verify().ok


def test_an_addendum_is_signed_hashed_and_linked_to_the_seal(case_in, dsl):
    case = case_in("closed")
    with pytest.raises(ReauthenticationFailed):
        seals.addendum_add(actor=dsl, incident=case, text="Police confirmed no further contact.", password="wrong")
    assert not Addendum.objects.exists()
    addendum = seals.addendum_add(
        actor=dsl, incident=case, text="Police confirmed no further contact.", password=TEST_PASSWORD
    )
    seal = Seal.objects.get(incident=case)
    assert addendum.seal == seal and addendum.added_by == dsl and addendum.reauthenticated_with == "password"
    assert addendum.entry.kind == EntryKind.ADDENDUM and "no further contact" in addendum.entry.text
    result = seals.verify()
    assert result.ok and result.addenda_checked == 1  # the record as sealed is unchanged by its addendum


def test_an_addendum_is_only_for_a_closed_record(case_in, dsl, head):
    with pytest.raises(RuleBroken):
        seals.addendum_add(actor=dsl, incident=case_in("under_review"), text="More", password=TEST_PASSWORD)
    with pytest.raises(RuleBroken):
        seals.addendum_add(actor=dsl, incident=case_in("closed"), text="  ", password=TEST_PASSWORD)


def test_an_addendum_changed_with_raw_sql_is_reported(case_in, dsl):
    case = case_in("closed")
    seals.addendum_add(actor=dsl, incident=case, text="Mother phoned: doing well.", password=TEST_PASSWORD)
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses any UPDATE of an addendum (append-only)")
    raw("UPDATE records_addendum SET text = 'something else' WHERE incident_id = %s", case.pk)
    result = seals.verify()
    assert failed_ids(result) == {case.pk} and "addendum" in result.failures[0].problem


def test_reopening_keeps_the_old_seal_and_the_next_closure_seals_again(case_in, dsl):
    case = case_in("closed")
    first = Seal.objects.get(incident=case)
    case = cases.case_reopen(actor=dsl, incident=case, reason="New information from a parent.")
    assert Seal.objects.filter(incident=case).get() == first
    assert seals.current_seal(case) is None
    cases.note_add(actor=dsl, incident=case, text="The parent's call, in full.")
    referral = referrals.referral_make(
        actor=dsl, incident=case, agency="social_care", method="phone", information_shared="The parent's call."
    )
    referrals.referral_record_outcome(actor=dsl, referral=referral, outcome="social_care_nfa")
    cases.case_close(actor=dsl, incident=case, summary="Closed again.", password=TEST_PASSWORD)
    case.refresh_from_db()
    second = seals.current_seal(case)
    assert list(Seal.objects.filter(incident=case)) == [first, second]
    assert second.sha256 != first.sha256 and second.closure != first.closure
    assert seals.verify().ok
    exported = seals.seal_export(case)
    assert [s["sha256"] for s in exported] == [first.sha256, second.sha256]
    assert [s["in_force"] for s in exported] == [False, True]


def test_a_closed_case_without_a_seal_is_reported(case_in):
    case = case_in("closed")
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses to delete a seal")
    raw("DELETE FROM records_historicalseal")
    raw("DELETE FROM records_seal")
    result = seals.verify()
    assert failed_ids(result) == {case.pk} and result.failures[0].problem == "Closed, but not sealed."


def test_verifying_takes_the_same_queries_for_more_cases(case_in, django_assert_max_num_queries):
    for _ in range(3):
        case_in("closed")
    with django_assert_max_num_queries(len(seals.sealed_parts()) + 4):
        assert seals.verify().ok


def test_verify_seals_command_exits_non_zero_and_names_the_changed_record(case_in):
    sealed, other = case_in("closed"), case_in("closed")
    out = io.StringIO()
    call_command("verify_seals", stdout=out)
    assert "Checked 2 sealed records" in out.getvalue()
    raw("UPDATE incidents_incident SET childs_words = 'rewritten' WHERE id = %s", sealed.pk)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_seals", stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert sealed.reference in err.getvalue() and other.reference not in err.getvalue()


@postgres_only()
def test_postgresql_refuses_to_rewrite_a_seal(case_in):
    from django.db import transaction
    from django.db.utils import ProgrammingError

    case_in("closed")
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        raw("UPDATE records_seal SET sha256 = 'x'")


# --- Through the pages ---------------------------------------------------------------------------------------


def test_the_case_page_shows_the_seal(client, signed_in, school, case_in, dsl):
    case = case_in("closed")
    seal = Seal.objects.get(incident=case)
    signed_in(dsl, school=school)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert seal.sha256 in page and "Sealed record" in page and "Add a signed addendum" in page


def test_an_addendum_page_asks_for_a_signature(client, signed_in, school, case_in, dsl):
    case = case_in("closed")
    signed_in(dsl, school=school)
    url = f"/cases/{case.pk}/addenda/new/"
    response = client.post(url, {"text": "Mother phoned: she is doing well.", "password": "wrong"})
    assert response.status_code == 200 and not Addendum.objects.exists()
    assert response.context["form"].errors["password"][0].startswith("That password or code was not right")
    response = client.post(url, {"text": "Mother phoned: she is doing well.", "password": TEST_PASSWORD})
    assert response.status_code == 302
    addendum = Addendum.objects.get()
    assert addendum.seal == Seal.objects.get(incident=case) and addendum.added_by == dsl
    assert "1 signed addendum since" in client.get(f"/cases/{case.pk}/").content.decode()
    assert seals.verify().ok


def test_the_addendum_page_refuses_an_open_case(client, signed_in, school, case_in, dsl):
    case = case_in("under_review")
    signed_in(dsl, school=school)
    response = client.post(f"/cases/{case.pk}/addenda/new/", {"text": "More", "password": TEST_PASSWORD})
    assert response.status_code == 200 and "add a note instead" in response.content.decode()
    assert not Addendum.objects.exists()


def test_the_check_page_reports_a_record_changed_with_raw_sql(client, signed_in, school, case_in, dsl):
    changed, fine = case_in("closed"), case_in("closed")
    signed_in(dsl, school=school)
    assert "You have not run a check yet" in client.get("/records/seals/").content.decode()
    assert client.post("/records/seals/").status_code == 302
    page = client.get("/records/seals/").content.decode()
    assert "2 sealed records" in page and "Every sealed record matched its seal" in page

    raw("UPDATE incidents_incident SET observations = %s WHERE id = %s", "rewritten", changed.pk)
    client.post("/records/seals/")
    page = client.get("/records/seals/").content.decode()
    assert changed.reference in page and "no longer matches its seal" in page
    assert fine.reference not in page


def test_the_check_page_is_for_the_dsl_team(client, signed_in, school, case_in, head, staff):
    case_in("closed")
    for person in (head, staff):
        signed_in(person, school=school)
        assert client.get("/records/seals/").status_code == 403
        assert client.post("/records/seals/").status_code == 403


def test_a_chronology_line_slipped_in_after_the_seal_is_reported(case_in, dsl):
    case = case_in("closed")
    raw(
        "INSERT INTO incidents_chronologyentry (incident_id, at, author_id, kind, text) VALUES (%s, %s, %s, %s, %s)",
        case.pk,
        case.closed_at,
        dsl.pk,
        EntryKind.ADDENDUM,
        "An unsigned addendum",
    )
    result = seals.verify()
    assert failed_ids(result) == {case.pk} and "no signed addendum accounts for" in result.failures[0].problem
