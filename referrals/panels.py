"""What this app adds to the core's pages: the decision, referrals and parents on the case page; sign-offs
waiting and referrals awaiting their outcome on the dashboard; the headteacher's signatories page."""

from django.db.models import Count, Window
from django.utils import timezone

from incidents.models import CaseState, Incident
from safeguard import extensions, policy
from safeguard.audit import listed
from safeguard.roles import Role

from . import selectors
from .models import POLICE

DASHBOARD_REFERRALS_SHOWN = 20


def _latest_parent_contacts(case, people):
    """(involvement, its latest parent-contact record or None) for each pupil among the case's `people`."""
    latest = {contact.involvement_id: contact for contact in selectors.parent_contacts_for_case(case)}
    return [(person, latest.get(person.pk)) for person in people if person.pupil_id]


def _case_panel(request, case, people, can_work, is_open, meeting, **_):
    now = timezone.now()
    referrals = list(selectors.referral_summaries_for_case(case))
    for referral in referrals:
        referral.overdue = referral.is_overdue(now)
    decisions = list(selectors.decisions_for_case(case))
    pending = next((d for d in decisions if d.is_pending_sign_off), None)
    parents = _latest_parent_contacts(case, people)
    police = any(referral.agency in POLICE for referral in referrals)
    return {
        "decisions": decisions,
        "referrals": referrals,
        "parents": parents,
        # Parents are told when the police are informed (domain.md §5), or the reasons they are not are recorded.
        "parents_prompt": police and is_open and any(contact is None for _, contact in parents),
        "under_coercion": selectors.under_coercion(case, meeting),
        "can_decide": can_work and case.state in (CaseState.UNDER_REVIEW, CaseState.REFERRAL_REQUIRED),
        "can_refer": can_work and is_open,
        "can_follow_up": can_work and is_open,
        "pending": pending,
        "can_sign": pending is not None and selectors.can_sign_off(request.user, pending),
    }


def _dashboard_panel(request, school, roles, **_):
    queue = selectors.sign_off_queue_for_user(request.user, school)
    show_queue = Role.HEADTEACHER in roles or bool(queue)
    team = policy.can(roles, "work_cases")
    # A named signatory keeps sight of what they signed, and of nothing else on those cases.
    signed = [] if team or Role.HEADTEACHER in roles else list(selectors.decisions_signed_by(request.user, school)[:20])
    if not (show_queue or team or signed):
        return None
    context = {"show_queue": show_queue, "queue": queue, "team": team, "signed": signed}
    shown_cases = [decision.incident_id for decision in queue] + [sign_off.decision.incident_id for sign_off in signed]
    if team:
        now = timezone.now()
        # How many are waiting in all comes with the first rows (a window count runs before the limit): one query.
        waiting = selectors.referrals_awaiting_outcome_for_user(request.user, school).annotate(
            waiting_count=Window(Count("pk"))
        )
        context["waiting"] = list(waiting[:DASHBOARD_REFERRALS_SHOWN])
        context["waiting_count"] = context["waiting"][0].waiting_count if context["waiting"] else 0
        for referral in context["waiting"]:
            referral.overdue = referral.is_overdue(now)
        shown_cases += [referral.incident_id for referral in context["waiting"]]
    listed(request, Incident, shown_cases)
    return context


def _signatory_marks(school):
    return {user_id: "Signatory" for user_id in selectors.active_signatories(school).values_list("user_id", flat=True)}


def register():
    extensions.register_person_marks("signatory", _signatory_marks)
    extensions.register_nav(
        url_name="referrals:signatories", label="Signatories", capability="designate_signatory", order=40
    )
    extensions.register_panel("case", template="referrals/panels/case.html", context=_case_panel, order=10)
    extensions.register_panel(
        "dashboard", template="referrals/panels/dashboard.html", context=_dashboard_panel, order=5
    )
