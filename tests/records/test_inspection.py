"""Inspector access (issue 10 §4): a signed grant of read-only access to chosen cases and reports, for a window; the
inspector sees exactly those while it is in force, and the school sees what they opened."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from incidents.errors import ReauthenticationFailed, RuleBroken
from incidents.models import Incident
from incidents.restriction import case_restrict
from incidents.selectors import incident_list_for_user
from records.inspection_models import InspectionGrant, InspectionGrantCase, InspectionRevocation
from records.inspection_selectors import granted_case_ids, granted_report_ids
from records.report_models import Report, ReportKind, ReportState
from records.services.inspection import MAX_DAYS, inspection_grant, inspection_notice_send, inspection_revoke
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.middleware import needs_two_factor
from safeguard.models import AccessLog
from safeguard.roles import Role
from tests.conftest import postgres_only
from tests.factories import TEST_PASSWORD, PupilFactory, make_case, member
from tests.records import helpers

INSPECTOR_EMAIL = "lead.inspector@ofsted.example"


def give(actor, school, *, cases=(), reports=(), email=INSPECTOR_EMAIL, **overrides):
    details = {
        "first_name": "Ines",
        "last_name": "Pector",
        "reason": "Ofsted inspection, lead inspector",
        "link_base": "https://safeguard.example",
        "password": TEST_PASSWORD,
        **overrides,
    }
    return inspection_grant(actor=actor, school=school, email=email, cases=cases, reports=reports, **details)


def ready_report(school, by, incident=None):
    kind = ReportKind.CASE_RECORD if incident else ReportKind.SCHOOL
    period = {} if incident else {"period_start": datetime.date(2026, 9, 1), "period_end": datetime.date(2026, 10, 1)}
    report = Report(
        school=school,
        kind=kind,
        incident=incident,
        marking="OFFICIAL-SENSITIVE",
        requested_by=by,
        state=ReportState.READY,
        stored_name=f"report-{Report.objects.count()}.pdf",
        sha256="0" * 64,
        **period,
    )
    return audited_save(report, actor=by, reason="Report rendered")


@pytest.fixture
def world(school, other_school, people, signed_in):
    """Two cases of the school (one granted, with a pupil), another school's case, and a grant on the first."""
    pupil = PupilFactory(school=school, first_name="Zephyrine")
    granted = make_case(school=school, state="under_review", pupils=[pupil])
    other = make_case(school=school, state="referred", pupils=[pupil])
    elsewhere = make_case(school=other_school, state="referred")
    report = ready_report(school, people[Role.DSL], incident=granted)
    grant = give(people[Role.DSL], school, cases=[granted], reports=[report])
    client = signed_in(grant.inspector, school=school)
    return {
        "pupil": pupil,
        "granted": granted,
        "other": other,
        "elsewhere": elsewhere,
        "report": report,
        "grant": grant,
        "inspector": grant.inspector,
        "client": client,
    }


def later(monkeypatch, moment):
    """Move the clock the grants read to `moment` (timezone.now, read on every request)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


# --- What the inspector sees --------------------------------------------------------------------------------------


def test_the_inspector_reads_exactly_the_granted_case(world, school):
    client, granted, pupil = world["client"], world["granted"], world["pupil"]

    page = client.get(f"/cases/{granted.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Case {granted.reference}" in text
    assert pupil.first_name in text  # the case's people, as the case records them
    # Read-only: no work links, and no way to the pupil's other cases or register entry.
    for link in ("/actions/new/", "/review-meeting/", "/notes/new/", "/access/", f"/cases/pupils/{pupil.pk}/"):
        assert link not in text
    for section in ("documents/", "sharing-and-meetings/", "imagery-and-devices/", "deletion-and-take-down/"):
        assert client.get(f"/cases/{granted.pk}/{section}").status_code == 200, section
    # Working the case is not theirs.
    assert client.get(f"/cases/{granted.pk}/actions/new/").status_code == 403
    assert client.post(f"/cases/{granted.pk}/notes/new/", {"text": "A note"}).status_code == 403


def test_nothing_else_is_reachable(world, school):
    client, pupil = world["client"], world["pupil"]
    # Another case of the school (the same pupil's), and another school's case: as if they did not exist.
    assert client.get(f"/cases/{world['other'].pk}/").status_code == 404
    assert client.get(f"/cases/{world['other'].pk}/documents/").status_code == 404
    assert client.get(f"/cases/{world['elsewhere'].pk}/").status_code == 404
    # The pupil's register entry and chronology, and every list of the school's cases, are closed to the role.
    assert client.get(f"/pupils/{pupil.pk}/").status_code == 403
    assert client.get(f"/cases/pupils/{pupil.pk}/").status_code == 403
    assert client.get("/cases/").status_code == 403
    assert client.get("/cases/inbox/").status_code == 403
    assert client.get("/pupils/").status_code == 403
    assert client.get("/records/inspection/").status_code == 403
    # The scoped selectors any list reads give the granted case alone.
    assert list(incident_list_for_user(world["inspector"], school)) == [world["granted"]]


def test_the_home_page_lists_the_grant_and_its_end(world):
    text = world["client"].get("/").content.decode()
    assert "Your inspection access" in text
    assert f'href="/cases/{world["granted"].pk}/"' in text
    assert f'href="/cases/{world["other"].pk}/"' not in text
    assert "Case record" in text  # the granted report
    ends = timezone.localtime(world["grant"].ends_at)
    assert f"{ends.day} {ends:%B %Y, %H:%M}" in text


def test_every_view_is_in_the_access_log(world):
    client, granted, inspector = world["client"], world["granted"], world["inspector"]
    client.get("/")
    client.get(f"/cases/{granted.pk}/")
    client.get(f"/cases/{granted.pk}/sharing-and-meetings/")
    client.get(f"/cases/{world['other'].pk}/")  # refused: nothing shown, nothing logged

    rows = AccessLog.objects.filter(user=inspector).order_by("at", "pk")
    assert [(row.object_id, row.action, row.page) for row in rows] == [
        (str(granted.pk), AccessLog.Action.LIST, "/"),
        (str(granted.pk), AccessLog.Action.VIEW, f"/cases/{granted.pk}/"),
        (str(granted.pk), AccessLog.Action.VIEW, f"/cases/{granted.pk}/sharing-and-meetings/"),
    ]


def test_access_ends_by_itself_at_the_end_of_the_window(world, school, monkeypatch, signed_in):
    client, granted, inspector = world["client"], world["granted"], world["inspector"]
    assert client.get(f"/cases/{granted.pk}/").status_code == 200
    assert needs_two_factor(inspector)

    later(monkeypatch, world["grant"].ends_at + datetime.timedelta(seconds=1))
    client = signed_in(inspector, school=school)  # the session itself would have timed out by now

    # No role in any school now: the case pages are closed to them, like any page of a school.
    assert client.get(f"/cases/{granted.pk}/").status_code == 403
    page = client.get("/").content.decode()
    assert "Your inspection access" not in page
    assert "You do not have a role in any school" in page
    assert roles_in_school(inspector, school) == frozenset()
    assert not granted_case_ids(inspector).exists()
    assert not needs_two_factor(inspector)
    # Nothing ran to end it: the grant is as it was written, and not revoked.
    assert not InspectionRevocation.objects.exists()


def test_a_grant_starting_later_gives_nothing_until_it_starts(school, people, signed_in, monkeypatch):
    case = make_case(school=school, state="referred")
    start = timezone.now() + datetime.timedelta(days=2)
    grant = give(
        people[Role.HEADTEACHER], school, cases=[case], starts_at=start, ends_at=start + datetime.timedelta(days=3)
    )
    client = signed_in(grant.inspector, school=school)
    assert client.get(f"/cases/{case.pk}/").status_code == 403  # no role in the school yet

    later(monkeypatch, start + datetime.timedelta(minutes=1))
    assert signed_in(grant.inspector, school=school).get(f"/cases/{case.pk}/").status_code == 200


def test_revocation_ends_access_at_once(world, people):
    client, granted = world["client"], world["granted"]
    assert client.get(f"/cases/{granted.pk}/").status_code == 200

    inspection_revoke(actor=people[Role.HEADTEACHER], grant=world["grant"], reason="The inspection ended early")

    assert client.get(f"/cases/{granted.pk}/").status_code == 403  # the same session, the next request
    assert "Your inspection access" not in client.get("/").content.decode()
    assert not granted_report_ids(world["inspector"]).exists()
    with pytest.raises(RuleBroken, match="already been revoked"):
        inspection_revoke(actor=people[Role.DSL], grant=world["grant"], reason="Twice")


def test_a_restricted_case_granted_by_a_named_member_is_readable(school, people, signed_in):
    dsl = people[Role.DSL]
    case = make_case(school=school, state="referred")
    case_restrict(actor=dsl, incident=case, members=[dsl], reason="The deputy knows the family")
    grant = give(dsl, school, cases=[case])
    assert signed_in(grant.inspector, school=school).get(f"/cases/{case.pk}/").status_code == 200


# --- Reports ------------------------------------------------------------------------------------------------------


def test_granted_report_ids_are_exactly_the_reports_in_force(world, school, people):
    inspector, report = world["inspector"], world["report"]
    other_report = ready_report(school, people[Role.DSL])
    assert list(Report.objects.filter(pk__in=granted_report_ids(inspector))) == [report]
    assert not granted_report_ids(people[Role.DSL]).exists()

    second = give(people[Role.DSL], school, reports=[other_report])
    assert second.inspector == inspector  # the same person, found by their email address
    assert set(Report.objects.filter(pk__in=granted_report_ids(inspector))) == {report, other_report}
    inspection_revoke(actor=people[Role.DSL], grant=second, reason="Sent the wrong report")
    assert list(Report.objects.filter(pk__in=granted_report_ids(inspector))) == [report]


def test_the_inspector_opens_and_downloads_exactly_the_granted_report(
    school, people, signed_in, settings, tmp_path
):
    settings.SAFEGUARD_REPORTS_ROOT = tmp_path
    dsl = people[Role.DSL]
    granted_case, other_case = (make_case(school=school, state="under_review") for _ in range(2))
    granted, other = (helpers.ready_report(actor=dsl, incident=case) for case in (granted_case, other_case))
    grant = give(dsl, school, cases=[granted_case], reports=[granted])
    client = signed_in(grant.inspector, school=school)

    assert f"/reports/{granted.pk}/" in client.get("/").content.decode()  # their home links it
    assert client.get(f"/reports/{granted.pk}/").status_code == 200
    download = client.get(f"/reports/{granted.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AccessLog.objects.filter(
        user=grant.inspector, action=AccessLog.Action.DOWNLOAD, object_id=str(granted.pk)
    ).exists()
    for url in (f"/reports/{other.pk}/", f"/reports/{other.pk}/download/", f"/reports/{other.pk}/status/"):
        assert client.get(url).status_code == 404, url
    assert client.get("/reports/").status_code == 403  # no list of the school's reports

    inspection_revoke(actor=dsl, grant=grant, reason="The visit is over")
    assert client.get(f"/reports/{granted.pk}/download/").status_code in (403, 404)


# --- Granting and revoking: who may, and what is refused ----------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DEPUTY_DSL, Role.STAFF, Role.INSPECTOR, Role.TRUST_LEAD])
def test_only_the_dsl_or_the_head_gives_or_ends_access(school, people, role):
    case = make_case(school=school, state="referred")
    with pytest.raises(PermissionDenied):
        give(people[role], school, cases=[case])
    grant = give(people[Role.DSL], school, cases=[case])
    with pytest.raises(PermissionDenied):
        inspection_revoke(actor=people[role], grant=grant, reason="Not theirs to end")


def test_another_schools_case_is_refused(school, other_school, people):
    elsewhere = make_case(school=other_school, state="referred")
    with pytest.raises(ValidationError, match="Not a case of this school"):
        give(people[Role.DSL], school, cases=[elsewhere])


def test_a_restricted_case_the_granter_cannot_see_is_refused(school, people):
    dsl, head = people[Role.DSL], people[Role.HEADTEACHER]
    case = make_case(school=school, state="referred")
    case_restrict(actor=dsl, incident=case, members=[dsl], reason="The head knows the family")
    with pytest.raises(ValidationError, match="Not a case of this school"):
        give(head, school, cases=[case])
    assert not InspectionGrant.objects.exists()


def test_a_draft_is_refused(school, people):
    draft = make_case(school=school, state="draft")
    with pytest.raises(ValidationError, match="a concern not yet submitted"):
        give(people[Role.DSL], school, cases=[draft])


def test_an_empty_grant_is_refused(school, people):
    with pytest.raises(ValidationError, match="at least one case or report"):
        give(people[Role.DSL], school)


def test_the_window_is_bounded_and_not_in_the_past(school, people):
    case, dsl, now = make_case(school=school, state="referred"), people[Role.DSL], timezone.now()
    with pytest.raises(ValidationError, match=f"at most {MAX_DAYS} days"):
        give(dsl, school, cases=[case], ends_at=now + datetime.timedelta(days=MAX_DAYS, minutes=1))
    with pytest.raises(ValidationError, match="cannot start in the past"):
        give(
            dsl,
            school,
            cases=[case],
            starts_at=now - datetime.timedelta(days=2),
            ends_at=now - datetime.timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="end after it starts"):
        give(dsl, school, cases=[case], ends_at=now - datetime.timedelta(minutes=1))
    # Exactly the bound is allowed; by default, SAFEGUARD_INSPECTOR_ACCESS_DAYS.
    longest = give(dsl, school, cases=[case], starts_at=now, ends_at=now + datetime.timedelta(days=MAX_DAYS))
    assert longest.ends_at - longest.starts_at == datetime.timedelta(days=MAX_DAYS)
    usual = give(dsl, school, cases=[case], email="second@ofsted.example")
    assert usual.ends_at - usual.starts_at == datetime.timedelta(days=3)


def test_the_granter_signs_with_their_password_or_a_code(school, people):
    case = make_case(school=school, state="referred")
    with pytest.raises(ReauthenticationFailed):
        give(people[Role.DSL], school, cases=[case], password="not the password")
    with pytest.raises(ReauthenticationFailed):
        give(people[Role.DSL], school, cases=[case], password="")
    assert not InspectionGrant.objects.exists()
    assert give(people[Role.DSL], school, cases=[case]).reauth_method == "password"


def test_access_is_for_someone_from_outside_the_school(school, people):
    case, dsl = make_case(school=school, state="referred"), people[Role.DSL]
    with pytest.raises(ValidationError, match="to yourself"):
        give(dsl, school, cases=[case], email=dsl.email)
    with pytest.raises(ValidationError, match="works at this school"):
        give(dsl, school, cases=[case], email=people[Role.STAFF].email)


# --- The record: history, the email, and the append-only tables ---------------------------------------------------


def test_granting_and_revoking_are_in_the_history(world, people):
    grant, dsl, head = world["grant"], people[Role.DSL], people[Role.HEADTEACHER]
    (row,) = grant.history.all()
    assert (row.history_user, row.history_change_reason, row.history_type) == (dsl, "Inspector access granted", "+")
    (case_row,) = InspectionGrantCase.history.filter(grant_id=grant.pk)
    assert case_row.history_user == dsl and case_row.incident_id == world["granted"].pk
    # The inspector's new account names who made it.
    assert grant.inspector.history.get().history_user == dsl

    revocation = inspection_revoke(actor=head, grant=grant, reason="The inspection ended early")
    (row,) = revocation.history.all()
    assert (row.history_user, row.history_change_reason) == (head, "Inspector access revoked")
    assert (revocation.revoked_by, revocation.reason) == (head, "The inspection ended early")
    grant.refresh_from_db()
    assert grant.history.count() == 1  # the grant itself is never changed


def test_the_inspector_is_emailed_once_with_an_invitation_and_no_case_detail(
    school, people, django_capture_on_commit_callbacks
):
    granted = make_case(school=school, state="referred")
    report = ready_report(school, people[Role.DSL])
    with django_capture_on_commit_callbacks(execute=True):
        grant = give(people[Role.DSL], school, cases=[granted], reports=[report])
    (email,) = mail.outbox
    assert email.to == [INSPECTOR_EMAIL]
    assert "To choose your password, open this link" in email.body
    assert "authenticator app" in email.body
    assert "1 case and 1 report" in email.body
    assert granted.reference not in email.body
    assert not any(involved.name in email.body for involved in granted.involvements.all())

    assert inspection_notice_send(grant_id=grant.pk, link_base="https://safeguard.example") is False
    assert len(mail.outbox) == 1


@postgres_only()
def test_postgresql_refuses_to_rewrite_a_grant(world):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        InspectionGrant.objects.filter(pk=world["grant"].pk).update(
            ends_at=timezone.now() + datetime.timedelta(days=60)
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM records_inspectionrevocation")
        cursor.execute("DELETE FROM records_inspectiongrantcase")


# --- The school's page --------------------------------------------------------------------------------------------


def test_the_school_sees_each_grant_and_what_the_inspector_opened(world, people, signed_in):
    from django.test import Client

    granted = world["granted"]
    world["client"].get(f"/cases/{granted.pk}/documents/")
    deputy = signed_in(people[Role.DEPUTY_DSL], client=Client())

    listing = deputy.get("/records/inspection/").content.decode()
    assert "Ines Pector" in listing and "1 case, 1 report" in listing and "In force" in listing
    assert "Give an inspector access" not in listing  # the deputy reads; the DSL or the head gives

    detail = deputy.get(f"/records/inspection/{world['grant'].pk}/").content.decode()
    assert f"Case {granted.reference}" in detail
    assert f"/cases/{granted.pk}/documents/" in detail and "Viewed" in detail
    assert "Ofsted inspection, lead inspector" in detail
    assert "End this access now" not in detail
    assert deputy.get(f"/records/inspection/{world['grant'].pk}/revoke/").status_code == 403


def test_the_dsl_gives_access_from_the_page_and_ends_it(school, people, signed_in):
    dsl = signed_in(people[Role.DSL])
    case = make_case(school=school, state="referred")
    fields = {
        "email": "auditor@trust.example",
        "first_name": "Ade",
        "last_name": "Ola",
        "case_references": f"{case.reference.lower()}, {case.reference}",
        "days": "2",
        "reason": "Trust audit",
        "password": TEST_PASSWORD,
    }
    refused = dsl.post("/records/inspection/new/", {**fields, "case_references": "XX-2026-9999"})
    assert refused.status_code == 200
    assert "No case you can see here has the reference XX-2026-9999" in refused.content.decode()

    response = dsl.post("/records/inspection/new/", fields)
    grant = InspectionGrant.objects.get()
    assert response["Location"] == f"/records/inspection/{grant.pk}/"
    assert [row.incident for row in grant.case_rows.all()] == [case]
    assert grant.ends_at - grant.starts_at == datetime.timedelta(days=2)

    assert "End this access now" in dsl.get(f"/records/inspection/{grant.pk}/").content.decode()
    response = dsl.post(f"/records/inspection/{grant.pk}/revoke/", {"reason": "Finished"})
    assert response.status_code == 302
    assert grant.revocation.reason == "Finished"
    assert "Revoked" in dsl.get("/records/inspection/").content.decode()


def test_another_schools_grant_is_not_found(world, other_school, signed_in):
    from django.test import Client

    other_dsl = signed_in(member(Role.DSL, school=other_school), client=Client())
    assert other_dsl.get(f"/records/inspection/{world['grant'].pk}/").status_code == 404
    assert "Ines Pector" not in other_dsl.get("/records/inspection/").content.decode()


def test_an_inspector_membership_alone_opens_nothing(school, people, signed_in):
    case = make_case(school=school, state="referred")
    client = signed_in(people[Role.INSPECTOR])
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    page = client.get("/").content.decode()
    assert "Your inspection access" in page and "No records are shared with you here" in page
    assert not Incident.objects.filter(pk__in=granted_case_ids(people[Role.INSPECTOR])).exists()
