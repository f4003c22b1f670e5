"""Reads of core data, always scoped to what the user may see. Views never query models directly."""

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from . import extensions, policy
from .memberships import roles_in_school
from .models import AccessLog, InsetDay, Membership, Pupil, Term
from .roles import Role


def pupil_list_for_user(user, school):
    """Pupils of `school` whose register entry the user's roles there let them read (superusers get nothing extra)."""
    scope = policy.pupil_scope(roles_in_school(user, school), school)
    return Pupil.objects.filter(scope) if scope is not None else Pupil.objects.none()


def get_pupil_for_user_or_404(user, school, pk):
    """One pupil the user may read; 404 for missing and for not theirs alike."""
    try:
        pupil = Pupil.objects.filter(extensions.pupils_shown()).get(pk=pk, school=school)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if policy.pupil_scope(roles_in_school(user, school), school) is None:
        raise Http404
    return pupil


def _calendar_for_user(user, school, model):
    # A school's calendar is read by those who keep it; anyone else gets none of it.
    if not policy.can(roles_in_school(user, school), "keep_school_calendar"):
        return model.objects.none()
    return model.objects.filter(school=school).select_related("added_by", "withdrawn_by")


def terms_for_user(user, school, since):
    """The terms of `school` ending on or after `since`, withdrawn ones too, first to last."""
    return _calendar_for_user(user, school, Term).filter(ends_on__gte=since).order_by("starts_on", "pk")


def inset_days_for_user(user, school, since):
    """The INSET days of `school` on or after `since`, withdrawn ones too, first to last."""
    return _calendar_for_user(user, school, InsetDay).filter(day__gte=since).order_by("day", "pk")


def get_calendar_entry_for_user_or_404(user, school, model, pk):
    """One term or INSET day of `school` in force, for those who keep its calendar; 404 for missing, withdrawn
    or not theirs alike."""
    try:
        entry = _calendar_for_user(user, school, model).current().get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    entry.school = school
    return entry


def people_for_user(user, school):
    """The school's memberships in force or starting later, each with its person, for those who manage its people."""
    if not policy.can(roles_in_school(user, school), "manage_people"):
        return Membership.objects.none()
    return (
        Membership.objects.filter(school=school, ended_at__isnull=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()))
        .select_related("user")
    )


def get_membership_for_user_or_404(user, school, pk):
    """One membership of `school` that the user manages; 404 for missing and for another school's alike."""
    try:
        return people_for_user(user, school).get(pk=pk)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def dsl_team_for_school(school):
    """Who a member of staff should talk to: the school's DSL and deputies, in force today."""
    return (
        Membership.objects.active()
        .filter(school=school, role__in=[Role.DSL, Role.DEPUTY_DSL])
        .select_related("user")
        .order_by("-role", "user__last_name")  # the DSL before deputies
    )


REGISTER_COUNTS = {
    "total": Count("pk"),
    "send": Count("pk", filter=Q(send=True)),
    "looked_after": Count("pk", filter=Q(looked_after=True)),
    "known_to_social_care": Count("pk", filter=Q(known_to_social_care=True)),
}


def register_summaries(user, schools):
    """{school id: counts of its pupils on roll and of those with each vulnerability flag}, for each of `schools`
    whose register the user may read, in one query however many schools there are."""
    readable = [school.pk for school in schools if policy.pupil_scope(roles_in_school(user, school), school)]
    rows = (
        Pupil.objects.filter(extensions.pupils_shown(), school__in=readable, date_left__isnull=True)
        .values("school")
        .annotate(**REGISTER_COUNTS)
        .order_by()
    )
    empty = dict.fromkeys(REGISTER_COUNTS, 0)
    found = {row.pop("school"): row for row in rows}
    return {pk: found.get(pk, empty) for pk in readable}


def record_trail(obj):
    """A record's change history, newest first, each entry with its changed fields; and its access log."""
    records = list(obj.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = [f for f in obj._meta.concrete_fields if f.name != "id"]
    history, previous = [], None
    for record in records:
        changes = [
            (f.verbose_name, getattr(previous, f.attname) if previous else None, getattr(record, f.attname))
            for f in fields
            if previous is None or getattr(previous, f.attname) != getattr(record, f.attname)
        ]
        history.append((record, changes))
        previous = record
    history.reverse()
    accesses = AccessLog.objects.filter(
        content_type__app_label=obj._meta.app_label,
        content_type__model=obj._meta.model_name,
        object_id=str(obj.pk),
    ).select_related("user")
    return history, accesses
