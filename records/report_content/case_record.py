"""The case record (issue 10 §1): the whole case as an inspector would read it, from the record alone.

The case itself, then its chronology, then every table of the sealed record in turn (the people involved and their
accounts, the review meetings with their answers and criteria, decisions with reasons and sign-offs, referrals with
every follow-up, escalation and outcome, parents told or why not, actions, closures and reopenings, documents
listed, information sharing and inter-agency meetings, the imagery-viewing log, device custody, deletion requests
and take-down reports), and the seals with their hashes. One query per table, whatever the size of the case.
"""

from incidents.models import ChronologyEntry, Incident
from incidents.selectors import case_chronology

from ..services.seals import seal_export, sealed_parts
from . import rows


def build(report, progress):
    incident = Incident.objects.select_related("school").get(pk=report.incident_id)
    parts = [part for part in sealed_parts() if part.model not in (Incident, ChronologyEntry)]
    total = len(parts) + 3  # the case, its chronology, each table, the seals
    numbers = {}
    case = rows.set_out(Incident, [incident], numbers)[0]
    progress(1, total)
    chronology = list(case_chronology(incident))
    progress(2, total)
    sections = []
    for done, part in enumerate(parts, start=3):
        found = rows.read(part.model, part.model.objects.filter(**{part.case_path: incident.pk}))
        if found:
            title = part.model._meta.verbose_name_plural
            sections.append({"title": title[:1].upper() + title[1:], "rows": rows.set_out(part.model, found, numbers)})
        progress(done, total)
    seals = seal_export(incident)
    progress(total, total)
    return {
        "title": f"Case record {incident.reference}",
        "case": incident,
        "case_fields": case.fields,
        "chronology": chronology,
        "sections": sections,
        "seals": seals,
    }
