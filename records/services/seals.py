"""Sealed records (issue 9 §5): closing a case seals its record; later information is a signed addendum.

The record is the case's own row and every row that belongs to it, in the tables registered below with
`register_sealed_part` (the one list: later records sections add their tables by registering them). A seal is
the SHA-256 of a canonical serialisation of those rows: JSON with sorted keys, every date and time in UTC to
the microsecond, decimals written out in full, each table's rows in id order. It is taken inside the closing
transaction, after the closure row is written (an effect on the move into "closed"), so the case cannot close
unsealed, and nothing can come between the two.

While the case stays closed, nothing in its record may change: the services refuse it (incidents.services
lock_case), and `verify` finds a change made behind their back, by recomputing the hash from the rows as they
now are. Two things may still be added to a closed case without changing its record: an addendum (signed, and
hashed in its own right, linked to the seal) and a change of who may see it (a restriction's chronology line; the
`restricted` flag is left out of the record for the same reason). Reopening leaves the seal as it was; the next
closure seals the record again.
"""

import datetime
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from incidents.chronology import chronology_record
from incidents.errors import CasePermissionDenied, RuleBroken
from incidents.models import (
    Action,
    CaseState,
    ChronologyEntry,
    Closure,
    EntryKind,
    Incident,
    InitialReviewMeeting,
    Involvement,
    MeetingAttendee,
    Reopening,
)
from incidents.reauth import reauthenticate
from incidents.services import lock_case, require_text
from referrals.models import Decision, Escalation, FollowUp, ParentContact, Referral, SignOff
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.roles import DSL_TEAM

from ..models import (
    AgencyMeeting,
    AgencyMeetingAction,
    AgencyMeetingStaff,
    Attachment,
    AttachmentWithdrawal,
    CustodyEvent,
    DeletionRequest,
    DeletionResponse,
    Device,
    ImageryViewing,
    InformationSharing,
    TakedownReport,
    ViewingSignature,
)
from ..seal_models import Addendum, Seal, SealCheck

SEAL_LINE = "Record sealed at closure."  # starts the chronology line that states each seal and its hash
SCHEME = 1  # the serialisation's version, kept in each seal's manifest
CHUNK = 500  # cases verified per round of queries: one query per table per round, whatever the number of rows


# --- What a record is ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealedPart:
    model: type
    case_path: str  # the lookup from a row to its case's id, e.g. "incident_id" or "referral__incident_id"
    exclude: frozenset = field(default_factory=frozenset)  # fields that may change on a closed case
    may_follow: Q | None = None  # rows that may be added to a closed case after its seal without changing it

    @property
    def label(self):
        return self.model._meta.label_lower

    def fields(self):
        return [f.attname for f in self.model._meta.concrete_fields if f.attname not in self.exclude]


_parts = {}


def register_sealed_part(model, *, case_path, exclude=(), may_follow=None):
    """Make `model`'s rows part of every record sealed from now on. `case_path` leads from a row to its case's id.

    `exclude` names fields that may change while the case is closed (who may see it, say), and `may_follow` the
    rows that may be added to a closed case (an addendum's chronology line). Registering again replaces the entry.
    """
    part = SealedPart(model, case_path, frozenset(exclude), may_follow)
    _parts[part.label] = part
    return part


def sealed_parts():
    return list(_parts.values())


# The case itself. Whether it is restricted is who may see it, which may change after closing: not the record.
register_sealed_part(Incident, case_path="id", exclude={"restricted"})
# After the seal, a closed case's chronology gains only the line stating the seal, addenda, and changes of who may
# see it; `verify` checks that each such line is accounted for.
register_sealed_part(
    ChronologyEntry,
    case_path="incident_id",
    may_follow=Q(kind__in=[EntryKind.ADDENDUM, EntryKind.ACCESS])
    | Q(kind=EntryKind.CLOSURE, text__startswith=SEAL_LINE),
)
register_sealed_part(Involvement, case_path="incident_id")
register_sealed_part(InitialReviewMeeting, case_path="incident_id")
register_sealed_part(MeetingAttendee, case_path="meeting__incident_id")
register_sealed_part(Action, case_path="incident_id")
register_sealed_part(Decision, case_path="incident_id")
register_sealed_part(SignOff, case_path="decision__incident_id")
register_sealed_part(Referral, case_path="incident_id")
register_sealed_part(FollowUp, case_path="referral__incident_id")
register_sealed_part(Escalation, case_path="referral__incident_id")
register_sealed_part(ParentContact, case_path="incident_id")
register_sealed_part(Closure, case_path="incident_id")
register_sealed_part(Reopening, case_path="incident_id")
# This app's own records of the case.
register_sealed_part(Attachment, case_path="incident_id")
register_sealed_part(AttachmentWithdrawal, case_path="attachment__incident_id")
register_sealed_part(InformationSharing, case_path="incident_id")
register_sealed_part(AgencyMeeting, case_path="incident_id")
register_sealed_part(AgencyMeetingStaff, case_path="meeting__incident_id")
register_sealed_part(AgencyMeetingAction, case_path="meeting__incident_id")
register_sealed_part(ImageryViewing, case_path="incident_id")
register_sealed_part(ViewingSignature, case_path="viewing__incident_id")
register_sealed_part(Device, case_path="incident_id")
register_sealed_part(CustodyEvent, case_path="device__incident_id")
register_sealed_part(DeletionRequest, case_path="incident_id")
register_sealed_part(DeletionResponse, case_path="request__incident_id")
register_sealed_part(TakedownReport, case_path="incident_id")


# --- The canonical serialisation -----------------------------------------------------------------------------


def _canonical_value(value):
    """The JSON form of what JSON has no form for, the same from any database and any process: the hash must not
    depend on either. Times in UTC to the microsecond, decimals written out in full."""
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID | datetime.timedelta):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    raise TypeError(f"A sealed record cannot hold a {type(value).__name__}")


def canonical_json(data):
    """`data` as canonical JSON bytes: sorted keys, no spaces, UTF-8 (strings, numbers, lists and dicts are JSON's
    own; the encoder asks _canonical_value for the rest, which keeps it fast over thousands of records)."""
    return json.dumps(
        data, default=_canonical_value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def sha256_of(data):
    return hashlib.sha256(canonical_json(data)).hexdigest()


# --- Reading records, many cases at once ---------------------------------------------------------------------


class UnknownPart(Exception):
    """A seal covers a table or field that the code no longer has."""


def _records(seals, followers=None):
    """{incident id: the record each seal in `seals` covers, read from the rows as they are now}.

    One query per table for all the cases together; `seals` are (incident id, manifest) pairs, at most one per case.
    Each table's rows are lists of values in the order of its `fields`, by id. The rows added after a seal as they
    may be (`may_follow`) are left out, and listed in `followers` (a dict, if given) as {incident id: [(label, pk,
    row as a dict), ...]} for the caller to account for.
    """
    manifests = dict(seals)
    followers = {} if followers is None else followers
    records = {case_id: {"scheme": SCHEME, "parts": {}} for case_id in manifests}
    wanted = {}  # (label, fields) -> [case ids]
    for case_id, manifest in manifests.items():
        for label, covered in manifest["parts"].items():
            wanted.setdefault((label, tuple(covered["fields"])), []).append(case_id)
            records[case_id]["parts"][label] = {"fields": list(covered["fields"]), "rows": []}
    for (label, fields), case_ids in wanted.items():
        part = _parts.get(label)
        known = set(part.fields()) | set(part.exclude) if part else set()
        if part is None or not set(fields) <= known:
            raise UnknownPart(f"The seal covers {label} ({', '.join(fields)}), which this version does not have.")
        rows = part.model._base_manager.filter(**{f"{part.case_path}__in": case_ids}).order_by("pk")
        if part.may_follow is not None:
            rows = rows.annotate(_may_follow=ExpressionWrapper(part.may_follow, output_field=BooleanField()))
            columns = [part.case_path, "pk", "_may_follow", *fields]
        else:
            columns = [part.case_path, "pk", *fields]
        for values in rows.values_list(*columns):
            case_id, pk = values[0], values[1]
            covered = manifests[case_id]["parts"][label]
            if part.may_follow is not None:
                may_follow, values = values[2], values[3:]
                if may_follow and pk > covered["upto"]:
                    # Added to the closed case as it may be (an addendum): not the sealed record.
                    followers.setdefault(case_id, []).append((label, pk, dict(zip(fields, values, strict=True))))
                    continue
            else:
                values = values[2:]
            records[case_id]["parts"][label]["rows"].append(values)
    return records


def _manifest(case_id):
    """What a seal taken now covers: each registered table's fields, and the last of its rows for the case."""
    parts = {}
    for part in sealed_parts():
        last = (
            part.model._base_manager.filter(**{part.case_path: case_id})
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        parts[part.label] = {"fields": part.fields(), "upto": last or 0}
    return {"scheme": SCHEME, "parts": parts}


def record_sha256(incident):
    """The SHA-256 of `incident`'s record as it is now: as its latest seal covers it, or else as a seal taken now
    would. Equal to that seal's hash while nothing has changed (exports state both)."""
    seal = Seal.objects.filter(incident=incident).order_by("-pk").first()
    manifest = seal.manifest if seal else _manifest(incident.pk)
    return sha256_of(_records([(incident.pk, manifest)])[incident.pk])


# --- Sealing -------------------------------------------------------------------------------------------------


def seal_on_close(*, actor, incident, now, **_):
    """Seal the record of a case as it closes (registered with the workflow for the move into 'closed').

    It runs inside the closing transaction, with the case row locked and the closure already written, so the
    seal covers the closure and the move's own chronology line, and a case never closes unsealed.
    """
    closure = Closure.objects.filter(incident=incident).order_by("-pk").first()
    if closure is None:  # the workflow's own guard requires a closure; this holds whatever guards are installed
        raise RuleBroken("A case is sealed with its signed closure, and this case has none.")
    manifest = _manifest(incident.pk)
    digest = sha256_of(_records([(incident.pk, manifest)])[incident.pk])
    entry = chronology_record(
        incident=incident,
        author=actor,
        kind=EntryKind.CLOSURE,
        text=f"{SEAL_LINE} Its fingerprint is kept, so any later change to it would show. SHA-256: {digest}",
        recorded_at=now,
    )
    return audited_save(
        Seal(
            incident=incident,
            closure=closure,
            entry=entry,
            sha256=digest,
            manifest=manifest,
            sealed_at=now,
            sealed_by=actor,
        ),
        actor=actor,
        reason="Record sealed at closure",
        at=now,
    )


def seals_for_case(incident):
    """The case's seals, oldest first, each with who sealed it and its count of addenda."""
    return Seal.objects.filter(incident=incident).select_related("sealed_by").order_by("pk")


def current_seal(incident):
    """The seal in force: the latest one, while the case is closed; None while it is open."""
    if incident.state != CaseState.CLOSED:
        return None
    return Seal.objects.filter(incident=incident).order_by("-pk").first()


def seal_export(incident):
    """What an export states about the record's seals: every seal (hash, when, by whom, the closure it sealed)
    and every addendum with its own hash, in order. Plain values, ready for a PDF or a file."""
    seals = list(seals_for_case(incident).prefetch_related("addenda__added_by"))
    return [
        {
            "sha256": seal.sha256,
            "algorithm": "SHA-256",
            "scheme": seal.manifest.get("scheme"),
            "sealed_at": seal.sealed_at,
            "sealed_by": seal.sealed_by.get_full_name() or seal.sealed_by.get_username(),
            "closure_id": seal.closure_id,
            "in_force": incident.state == CaseState.CLOSED and seal is seals[-1],
            "addenda": [
                {
                    "sha256": addendum.sha256,
                    "added_at": addendum.added_at,
                    "added_by": addendum.added_by.get_full_name() or addendum.added_by.get_username(),
                    "text": addendum.text,
                }
                for addendum in seal.addenda.all()
            ],
        }
        for seal in seals
    ]


# --- Addenda -------------------------------------------------------------------------------------------------


def _addendum_content(addendum, seal_sha256):
    """What an addendum's hash covers: its own fields, and the seal it follows (so it is bound to that record)."""
    return {
        "scheme": SCHEME,
        "incident": addendum.incident_id,
        "seal": addendum.seal_id,
        "seal_sha256": seal_sha256,
        "entry": addendum.entry_id,
        "text": addendum.text,
        "added_by": addendum.added_by_id,
        "added_at": addendum.added_at,
        "reauthenticated_with": addendum.reauthenticated_with,
    }


def addendum_add(*, actor, incident, text, password=None, otp_token=None, recorded_at=None):
    """Add later information to a sealed (closed) record as an addendum, signed by re-entering the password or a
    code; the record itself stays as it was sealed. The addendum is hashed, and linked to the seal."""
    text = require_text(text, "Please write the addendum.")
    method = reauthenticate(user=actor, password=password, otp_token=otp_token)  # outside: a failure counts
    return _addendum_add(actor=actor, incident=incident, text=text, method=method, now=recorded_at or timezone.now())


@transaction.atomic
def _addendum_add(*, actor, incident, text, method, now):
    case = lock_case(actor=actor, incident=incident, allow_closed=True)
    if case.state != CaseState.CLOSED:
        raise RuleBroken("This case is open: add a note instead. Addenda are for closed, sealed records.")
    if not roles_in_school(actor, case.school) & DSL_TEAM:
        raise CasePermissionDenied("Only the DSL or a deputy DSL can add an addendum.")
    seal = current_seal(case)
    if seal is None:
        raise RuleBroken("This record has no seal, so an addendum cannot be linked to it.")
    entry = chronology_record(
        incident=case, author=actor, kind=EntryKind.ADDENDUM, text=f"Addendum (signed): {text}", recorded_at=now
    )
    addendum = Addendum(
        incident=case, seal=seal, entry=entry, text=text, added_by=actor, added_at=now, reauthenticated_with=method
    )
    addendum.sha256 = sha256_of(_addendum_content(addendum, seal.sha256))
    return audited_save(addendum, actor=actor, reason="Signed addendum added", at=now)


# --- Verifying -----------------------------------------------------------------------------------------------


@dataclass
class Failure:
    incident_id: int
    reference: str
    problem: str


@dataclass
class Verification:
    records_checked: int = 0
    addenda_checked: int = 0
    failures: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.failures


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def verify(cases=None, *, chunk=CHUNK):
    """Check that every closed case (of `cases`, a queryset of Incident; all by default) is sealed, that its record
    still matches its seal, that whatever was added after the seal is accounted for, and that every addendum still
    matches its own hash. A few queries per `chunk` cases, whatever the number of entries."""
    cases = Incident.objects.all() if cases is None else cases
    closed = list(cases.filter(state=CaseState.CLOSED).order_by("pk").values_list("pk", "reference"))
    result = Verification()
    for batch in _chunks(closed, chunk):
        references = dict(batch)

        def fail(case_id, problem, references=references):
            result.failures.append(Failure(case_id, references[case_id], problem))

        latest, seal_hashes = {}, {}
        seals = Seal.objects.filter(incident_id__in=references).order_by("incident_id", "pk")
        for seal in seals.values("pk", "incident_id", "sha256", "manifest", "entry_id", "entry__text"):
            latest[seal["incident_id"]] = seal  # ordered by id: the last one per case is the seal in force
            seal_hashes[seal["pk"]] = seal["sha256"]
        for case_id in sorted(references.keys() - latest.keys()):
            fail(case_id, "Closed, but not sealed.")

        accounted = {}  # incident id -> the chronology lines that signed addenda account for
        for addendum in Addendum.objects.filter(incident_id__in=references).order_by("pk"):
            result.addenda_checked += 1
            accounted.setdefault(addendum.incident_id, set()).add(addendum.entry_id)
            if sha256_of(_addendum_content(addendum, seal_hashes.get(addendum.seal_id))) != addendum.sha256:
                when = timezone.localtime(addendum.added_at)
                fail(addendum.incident_id, f"An addendum of {when:%d %B %Y %H:%M} no longer matches its hash.")

        followers = {}
        try:
            records = _records([(case_id, seal["manifest"]) for case_id, seal in latest.items()], followers)
        except UnknownPart as error:
            records = {}
            for case_id in latest:
                fail(case_id, str(error))
        for case_id, record in records.items():
            result.records_checked += 1
            seal = latest[case_id]
            if sha256_of(record) != seal["sha256"]:
                fail(case_id, "The record no longer matches its seal: something was changed after it was signed off.")
            elif seal["sha256"] not in seal["entry__text"]:
                fail(case_id, "The chronology's line stating the seal no longer matches the seal.")
            own = accounted.get(case_id, set()) | {seal["entry_id"]}
            unexplained = [
                pk for _, pk, row in followers.get(case_id, []) if pk not in own and row["kind"] != EntryKind.ACCESS
            ]
            if unexplained:
                fail(case_id, "A line was added to the chronology after the seal that no signed addendum accounts for.")
    return result


@transaction.atomic
def seal_check_run(*, actor, school, cases):
    """Verify the sealed records of `cases` (the school's, as `actor` may see them) and keep the result."""
    if not roles_in_school(actor, school) & DSL_TEAM:
        raise CasePermissionDenied("Only the DSL or a deputy DSL can check the sealed records.")
    result = verify(cases.filter(school=school))
    check = SealCheck(
        school=school,
        checked_by=actor,
        records_checked=result.records_checked,
        addenda_checked=result.addenda_checked,
        failures=[{"incident": f.incident_id, "problem": f.problem} for f in result.failures],
    )
    return audited_save(check, actor=actor, reason="Sealed records checked")
