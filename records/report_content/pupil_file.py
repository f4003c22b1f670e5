"""A pupil's child protection file (issue 10 §1): every case of one pupil as one chronology, then each case's
decision, referrals and outcome. This is also the file that goes with a pupil who leaves (issue 10 §2).

Other children in those cases are reduced to what this pupil's record needs: a name and their part, never their
own account, their flags or their other cases. The case's own account of what happened (the child's words, the
staff's observations) is given only where this pupil is the one person involved, since otherwise it may be another
child's. Restricted cases are left out: their record is for the members of the team they are restricted to, who
ask for each one's case record.
"""

from incidents.models import CaseState, ChronologyEntry, Closure, Incident, Involvement
from incidents.selectors import case_ids_for_pupil
from referrals.models import Decision, Referral
from safeguard import extensions
from safeguard.models import Pupil


def build(report, progress):
    pupil = Pupil.objects.get(pk=report.pupil_id)
    cases = list(
        Incident.objects.filter(school_id=report.school_id, restricted=False, pk__in=case_ids_for_pupil(pupil))
        .exclude(state=CaseState.DRAFT)
        .select_related("owner")
        .order_by("came_to_light_at", "pk")
    )
    ids = [case.pk for case in cases]
    people = _by_case(Involvement.objects.current().filter(incident__in=ids).select_related("pupil"))
    decisions = _by_case(Decision.objects.filter(incident__in=ids).select_related("decided_by", "sign_off__signed_by"))
    referrals = _by_case(Referral.objects.filter(incident__in=ids).select_related("made_by"))
    closures = _by_case(Closure.objects.filter(incident__in=ids).select_related("closed_by"))
    entries = ChronologyEntry.objects.filter(incident__in=ids).select_related("incident", "author").order_by("at", "pk")
    chronology = [
        {"at": e.at, "case": e.incident.reference, "what": e.get_kind_display(), "text": e.text, "author": e.author}
        for e in entries
    ]
    # Entries from outside the cases (a file received from a previous school, a transfer of this file), in order.
    outside = extensions.pupil_timeline(report.requested_by, report.school, pupil)
    chronology += [{"at": e.at, "case": "", "what": e.heading, "text": e.text, "author": e.author} for e in outside]
    chronology.sort(key=lambda row: row["at"])
    summaries = []
    for done, case in enumerate(cases, start=1):
        involved = people.get(case.pk, [])
        summaries.append(
            {
                "case": case,
                "own": [person for person in involved if person.pupil_id == pupil.pk],
                # Another child: a name and a part, nothing of theirs.
                "others": [{"name": p.name, "part": p.get_part_display()} for p in involved if p.pupil_id != pupil.pk],
                "whole_account": len(involved) == 1,
                "decisions": decisions.get(case.pk, []),
                "referrals": referrals.get(case.pk, []),
                "closures": closures.get(case.pk, []),
            }
        )
        progress(done, len(cases))
    if not cases:
        progress(0, 0)
    return {"title": f"Child protection file: {pupil}", "pupil": pupil, "cases": summaries, "chronology": chronology}


def _by_case(queryset):
    found = {}
    for row in queryset.order_by("pk"):
        found.setdefault(row.incident_id, []).append(row)
    return found
