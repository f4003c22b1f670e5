"""The school safeguarding report for a period (issue 10 §1): its figures against hand-counted cases, its queries,
and its PDF read back with pypdf."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import restriction, workflow
from incidents import services as case_services
from incidents.models import CaseState, HarmKind
from records.pdf import render_pdf, weasyprint_available
from records.report_content import school as school_report
from records.report_models import Report, ReportKind
from records.services import deletion, seals, sharing, transfers
from referrals import services as referral_services
from safeguard import calendar
from tests.factories import PupilFactory, make_case

DAY, HOUR = datetime.timedelta(days=1), datetime.timedelta(hours=1)


def report_for(school, requested_by, start, end):
    return Report(
        school=school,
        kind=ReportKind.SCHOOL,
        period_start=start,
        period_end=end,
        period_label="Test period",
        marking="OFFICIAL-SENSITIVE",
        requested_by=requested_by,
    )


def _case(school, state, came_to_light_at, harm_kind, categories, **kwargs):
    return make_case(
        school=school,
        state=state,
        came_to_light_at=came_to_light_at,
        occurred_at=None,
        harm_kind=harm_kind,
        categories=categories,
        **kwargs,
    )


@pytest.fixture
def seeded(school, other_school, people, dsl, head, monkeypatch):
    """Eight cases of the school in the last thirty days, one older case and one of another school, with the
    records each section counts. The figures in the tests below are counted by hand from this."""
    now = timezone.now()
    c = {}
    # Referred to social care 45 minutes ago (awaiting), meeting an hour ago: 3 days after it came to light.
    c["A"] = _case(school, "referred", now - 3 * DAY, "nudes_sharing", ["conduct", "contact"])
    ceop = referral_services.referral_make(
        actor=dsl, incident=c["A"], agency="ceop", method="online_form", information_shared="The report."
    )
    referral_services.referral_record_outcome(actor=dsl, referral=ceop, outcome="advice_given")
    sharing.sharing_record(
        actor=dsl,
        incident=c["A"],
        shared=True,
        recipient="agency",
        agency="social_care",
        information="The concern.",
        reason="To keep her safe.",
        decided_by=dsl,
        method="phone",
        at=now - 2 * HOUR,
    )
    sharing.agency_meeting_record(
        actor=dsl,
        incident=c["A"],
        kind="strategy",
        held_at=now - 30 * 60 * datetime.timedelta(seconds=1),
        invited=[dsl],
        attended=[],
        no_attendance_reason="Called at ten minutes' notice during a lockdown drill.",
        report_sent=False,
        outcome="Section 47 enquiry to begin.",
    )
    case_services.action_record_not_taken(
        actor=dsl, incident=c["A"], description="Search the pupil's phone.", reason="The police advised against it."
    )
    # Managed in school, two pupils: one deletion deadline missed, one met; an action three days overdue.
    pupils = [PupilFactory(school=school, first_name="Zenobia"), PupilFactory(school=school, first_name="Quentin")]
    c["B"] = _case(school, "managed_in_school", now - DAY, "cyberbullying", ["conduct"], pupils=pupils)
    case_services.action_add(
        actor=dsl, incident=c["B"], description="Call Zenobia's mum", owner=dsl, due_on=timezone.localdate() - 3 * DAY
    )
    first, second = c["B"].involvements.order_by("pk")
    deletion.deletion_request(actor=dsl, involvement=first, asked_at=now - 2 * HOUR, deadline=now - HOUR)
    met = deletion.deletion_request(actor=dsl, involvement=second, asked_at=now - 2 * HOUR, deadline=now + DAY)
    deletion.deletion_confirm(
        actor=dsl,
        request=met,
        at=now - 30 * datetime.timedelta(minutes=1),
        who="pupil",
        method="in_person",
        checked_by=dsl,
        devices="deleted",
        cloud_storage="none_held",
        social_media="deleted",
    )
    # Waiting for the head's sign-off; one action done.
    c["C"] = _case(school, "awaiting_sign_off", now - 2 * DAY, "sextortion", ["contact", "commerce"])
    done = case_services.action_add(actor=dsl, incident=c["C"], description="Agree a safety plan", owner=dsl)
    case_services.action_complete(actor=dsl, action=done)
    # A new concern, four days old: no meeting, no parents recorded.
    c["D"] = _case(school, "reported", now - 4 * DAY, "harmful_content", ["content"])
    # Closed and sealed; and closed without a seal, as a case closed before seals were kept would be.
    c["E"] = _case(school, "closed", now - DAY, "nudes_sharing", ["conduct"])
    effects = {k: v for k, v in workflow._effects[CaseState.CLOSED].items() if v is not seals.seal_on_close}
    with monkeypatch.context() as patch:
        patch.setitem(workflow._effects, CaseState.CLOSED, effects)
        c["E2"] = _case(school, "closed", now - DAY, "other", ["commerce"], harm_other="Online gambling")
    # Restricted to the DSL: meeting held 5 days after it came to light.
    c["F"] = _case(school, "under_review", now - 5 * DAY, "radicalisation", ["content"])
    restriction.case_restrict(
        actor=dsl, incident=c["F"], members=[dsl], reason="A member of the team knows the family."
    )
    # Referred to the police 16 days ago, never followed up; its meeting came 20 days after it came to light.
    c["G"] = _case(school, "under_review", now - 20 * DAY, "sexual_abuse_or_grooming", ["contact"])
    referral_services.referral_make(
        actor=dsl,
        incident=c["G"],
        agency="police_101",
        method="phone",
        made_at=now - 16 * DAY,
        information_shared="The concern.",
    )
    # Outside the period, and another school's: neither counts.
    c["old"] = _case(school, "reported", now - 45 * DAY, "cyberbullying", ["conduct"])
    c["elsewhere"] = _case(other_school, "reported", now - DAY, "sextortion", ["contact"])
    for key, case in c.items():
        case.refresh_from_db()
        c[key] = case
    start, end = timezone.localdate(now - 30 * DAY), timezone.localdate(now)
    return c, report_for(school, dsl, start, end)


def built(report):
    calls = []
    context = school_report.build(report, lambda done, total: calls.append((done, total)))
    return context, calls


def test_figures_match_the_hand_counted_cases(seeded):
    cases, report = seeded
    context, calls = built(report)
    ref = {key: case.reference for key, case in cases.items()}

    assert context["totals"]["cases"] == 8
    assert context["totals"]["restricted"] == 1
    assert calls[0] == (0, 8) and calls[-1] == (8, 8)
    harm = dict(context["harm"]["rows"])
    assert harm[HarmKind.NUDES_SHARING.label] == 2
    assert [harm[k.label] for k in HarmKind][1:] == [1, 1, 1, 1, 1, 1]
    assert dict(context["categories"]["rows"]) == {"Content": 2, "Contact": 3, "Conduct": 3, "Commerce": 2}
    in_period = [case for key, case in cases.items() if key not in ("old", "elsewhere")]
    by_month = {}
    for case in in_period:
        month = f"{timezone.localdate(case.came_to_light_at):%B %Y}"
        by_month[month] = by_month.get(month, 0) + 1
    assert {k: v for k, v in context["months"]["rows"] if v} == by_month
    assert context["months"]["rows"][0][0] == f"{report.period_start:%B %Y}"

    agencies = {row["agency"]: (row["made"], row["known"], row["waiting"]) for row in context["agencies"]}
    assert agencies == {
        "Police (101 or the safer schools officer)": (1, 0, 1),
        "Children's social care / MASH": (1, 0, 1),
        "NCA-CEOP": (1, 1, 0),
    }

    meeting, referral = context["timeliness"]["meeting"], context["timeliness"]["referral"]
    # Meetings an hour before now: 23 h (B, E, E2), 47 h (C), 71 h (A), 119 h (F), 479 h (G, a week or more: days).
    assert (meeting["count"], meeting["median"], meeting["worst"]) == (7, "1 day 23 hours", "20 days")
    assert meeting["worst_cases"] == [ref["G"]]
    assert [c["reference"] for c in meeting["without"]] == [ref["D"]]
    # A: 3 days less 45 minutes; G: 4 days. CEOP is a notification, not a referral.
    assert (referral["count"], referral["median"], referral["worst"]) == (2, "3 days 12 hours", "4 days")
    assert referral["worst_cases"] == [ref["G"]]

    assert [(r["reference"], r["waiting"]) for r in context["awaiting"]] == [
        (ref["G"], "16 days"),
        (ref["A"], "45 minutes"),
    ]
    decisions = {d["reference"]: d for d in context["decisions"]}
    assert set(decisions) == {ref["B"], ref["C"], ref["E"], ref["E2"]}
    assert decisions[ref["C"]]["waiting"] and decisions[ref["C"]]["signed_at"] is None
    assert decisions[ref["B"]]["sign_off"].startswith("Signed off by ")

    actions = context["actions"]
    assert (actions["total"], actions["open"], actions["overdue"], actions["done"], actions["not_taken"]) == (
        3,
        1,
        1,
        1,
        1,
    )
    assert [(a["reference"], a["late"]) for a in actions["overdue_list"]] == [(ref["B"], "3 days")]
    assert context["deletions"]["met"] == 1 and context["deletions"]["pending"] == 0
    assert [(d["reference"], d["what"]) for d in context["deletions"]["missed"]] == [
        (ref["B"], "no answer, 1 hour after the deadline")
    ]

    rows = {row["reference"]: row for row in context["case_rows"]}
    assert set(rows) == {ref[k] for k in ["A", "B", "C", "D", "E", "E2", "F", "G"]}
    assert rows[ref["A"]]["outcome_label"] == "Advice given; 1 awaiting an outcome"
    assert rows[ref["B"]]["decision_label"] == "Manage in school (signed off)"
    assert rows[ref["E2"]]["harm_label"] == "Other: Online gambling"
    assert rows[ref["D"]]["outcome_label"] == "No referral"


def test_checklist_finds_each_gap(seeded):
    cases, report = seeded
    context, _ = built(report)
    ref = {key: case.reference for key, case in cases.items()}
    gaps = {point["question"]: {gap["what"]: gap["cases"] for gap in point["gaps"]} for point in context["checklist"]}
    assert len(gaps) == 10

    assert gaps["Are records up to date and complete?"] == {
        "No review meeting yet (time since the concern came to light)": [f"{ref['D']} (4 days)"]
    }
    assert gaps["Do records show the risk of harm identified and managed?"] == {
        "Deletion deadline missed (see Deletion deadlines)": [ref["B"]]
    }
    assert gaps["Do records show sound decisions and timely referrals?"] == {
        "Decision not to refer not yet signed off (time waiting)": [f"{ref['C']} (less than a minute)"]
    }
    assert list(gaps["Do records show action taken in time?"].values()) == [[ref["B"]]]
    assert gaps["Do records show tenacity in following up with agencies?"] == {
        "Awaiting an outcome with no follow-up for over 14 days (time since the last contact)": [
            f"{ref['G']} (16 days)"
        ]
    }
    (parents,) = gaps["Do records show partnership working and the sharing of information?"].values()
    assert sorted(parents) == sorted([ref["D"], ref["F"], ref["G"]])
    (not_attended,) = gaps["Is there attendance at inter-agency meetings?"].values()
    assert not_attended == [
        f"{ref['A']} (strategy meeting or discussion, {timezone.localdate():%d %B %Y}; no report sent)"
    ]
    policy = "Is there a clear policy on internal sharing, safe keeping and transfer of records?"
    assert gaps[policy] == {"Closed without a seal": [ref["E2"]]}
    assert gaps["Are actions not taken recorded with their justification?"] == {}
    evidence = {point["question"]: " ".join(point["evidence"]) for point in context["checklist"]}
    assert "signed-off record: 1 of 2" in evidence[policy]
    assert (
        "Information shared 1 time; 0 decisions not to share"
        in evidence["Do records show partnership working and the sharing of information?"]
    )
    assert (
        "Actions not taken: 1; carried over at closure: 0"
        in evidence["Are actions not taken recorded with their justification?"]
    )


def test_queries_do_not_grow_with_the_cases(school, people, dsl):
    states = ["reported", "referred", "managed_in_school", "awaiting_sign_off", "closed"]
    now = timezone.now()

    def add(n, offset):
        for i in range(n):
            case = _case(school, states[i % len(states)], now - (offset + i % 20) * HOUR, "cyberbullying", ["conduct"])
            if case.state != CaseState.CLOSED:
                case_services.action_add(actor=dsl, incident=case, description="Check in", due_on=timezone.localdate())
            if i % 10 == 0:  # and a pupil leaving, whose file's clock reads the school calendar
                transfers.transfer_start(
                    actor=dsl,
                    pupil=PupilFactory(school=school),
                    other_school="Hill Top Academy",
                    contact_name="Ms Rivera",
                    contact_email="dsl@hilltop.example",
                    leaving_on=timezone.localdate(now - offset * HOUR),
                )

    report = report_for(school, dsl, timezone.localdate(now - 30 * DAY), timezone.localdate(now))
    add(5, 1)
    with CaptureQueriesContext(connection) as five:
        context, _ = built(report)
    assert context["totals"]["cases"] == 5
    add(45, 30)
    calendar.forget(report.school)  # read afresh, as each job's report is
    with CaptureQueriesContext(connection) as fifty:
        context, _ = built(report)
    assert context["totals"]["cases"] == 50
    assert len(fifty) == len(five), [q["sql"][:120] for q in fifty.captured_queries]
    assert len(five) == 18  # 14, the transfers and the files received (2), and the calendar for their clocks (2)


AVAILABLE, WHY_NOT = weasyprint_available()


@pytest.mark.skipif(not AVAILABLE, reason=f"WeasyPrint's libraries are missing: {WHY_NOT}")
def test_pdf_reads_back_with_headings_figures_gaps_and_no_child(seeded, dsl):
    from pypdf import PdfReader

    cases, report = seeded
    context, _ = built(report)
    school = report.school
    context |= {
        "report": report,
        "school": school,
        "generated_at": timezone.now(),
        "generated_by": "Test DSL",
        "marking": report.marking,
    }
    html = render_to_string("pdf/school.html", context)
    assert html.count("<svg") == 3
    assert 'aria-label="Cases by kind of harm"' in html
    pdf, pages = render_pdf(html)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == pages >= 2
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for heading in [
        "School safeguarding report",
        "What the concerns were",
        "Referrals by agency",
        "How quickly the school acted",
        "Referrals still awaiting an outcome",
        "Decisions not to refer, and their sign-off",
        "Deletion deadlines",
        "The recording checklist",
        "The cases",
    ]:
        assert heading in text, heading
    ref = {key: case.reference for key, case in cases.items()}
    # Figures and chart labels: a kind of harm, a 4C, the worst meeting time and its case.
    assert "Sextortion (sexual extortion, often for money)" in text
    assert "Commerce" in text and "20 days" in text
    assert "8 cases, of which 1 restricted" in text
    # The gaps, by reference.
    assert f"Closed without a seal: 1 case. {ref['E2']}" in text
    assert f"No review meeting yet (time since the concern came to light): 1 case. {ref['D']} (4 days)" in text
    assert "Restricted: its details are only for the people it is restricted to" in text
    assert ref["old"] not in text and ref["elsewhere"] not in text
    # No child: no pupil's name, nothing a child said, no free text of the record.
    for case in (cases["A"], cases["B"]):
        assert case.childs_words[:30] not in text
        assert case.observations[:30] not in text
    for involvement in cases["B"].involvements.select_related("pupil"):
        assert involvement.pupil.first_name not in text and involvement.pupil.last_name not in text
    assert "Called at ten minutes" not in text and "Zenobia" not in text
    assert "OFFICIAL-SENSITIVE" in reader.pages[-1].extract_text()


def test_a_period_with_no_cases_says_so(school, other_school, people, dsl):
    _case(other_school, "reported", timezone.now() - DAY, "sextortion", ["contact"])
    today = timezone.localdate()
    report = report_for(school, dsl, today - 60 * DAY, today)
    context, calls = built(report)
    assert context["totals"]["cases"] == 0 and context["case_rows"] == [] and calls == [(0, 0)]
    assert all(not point["gaps"] for point in context["checklist"])
    assert len(context["months"]["rows"]) in (2, 3) and not any(n for _, n in context["months"]["rows"])
    html = render_to_string("pdf/school.html", context | {"report": report, "school": school, "marking": "M"})
    assert "No concern came to light in this period." in html
    assert "No referral was made on these cases." in html


def test_checklist_counts_the_files_of_pupils_who_left_and_finds_a_late_one(seeded, dsl):
    from records.transfer_selectors import transfer_clock

    _, report = seeded
    today = timezone.localdate()
    contact = {"contact_name": "Ms Rivera", "contact_email": "dsl@new.example"}
    late = transfers.transfer_start(
        actor=dsl,
        pupil=PupilFactory(school=report.school),
        other_school="Hill Top Academy",
        leaving_on=today - datetime.timedelta(days=20),
        **contact,
    )
    transfers.transfer_start(
        actor=dsl,
        pupil=PupilFactory(school=report.school),
        other_school="Brook Primary",
        leaving_on=today,
        **contact,
    )  # due in 5 school days: not late
    transfers.transfer_start(
        actor=dsl,
        pupil=PupilFactory(school=report.school),
        other_school="Long Ago School",
        leaving_on=today - datetime.timedelta(days=60),
        **contact,
    )  # left before the period: not counted
    transfers.file_received_record(
        actor=dsl,
        pupil=PupilFactory(school=report.school),
        other_school="Elm Infants",
        contact_name="Mr Oduya",
        contact_phone="0113 496 0001",
        received_at=timezone.now() - datetime.timedelta(days=3),
        method="by_hand",
        summary="One earlier concern.",
    )

    context, _ = built(report)

    policy = next(p for p in context["checklist"] if "transfer of records" in p["question"])
    evidence = " ".join(policy["evidence"])
    assert "pupils who left in the period: 2; sent 0, receipt confirmed 0, cancelled 0" in evidence
    assert "Files received from pupils' previous schools: 1." in evidence
    (late_gap,) = [gap["cases"] for gap in policy["gaps"] if "receipt not confirmed" in gap["what"]]
    due = transfer_clock(report.school, late.leaving_on).due_on  # 5 working days: the test school has no terms
    assert late_gap == [f"to Hill Top Academy (due {due:%d %B %Y})"]
