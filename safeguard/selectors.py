"""Reads of core data, always scoped to what the user may see. Views never query models directly."""

from django.db.models import Count, Q
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from .models import AccessLog, Membership, Pupil, School
from .roles import Role


def schools_for_user(user):
    """Schools where the user holds an active role, or which belong to a trust they oversee."""
    active = Membership.objects.active().filter(user=user)
    return School.objects.filter(
        Q(pk__in=active.exclude(school=None).values("school"))
        | Q(trust__in=active.filter(role=Role.TRUST_LEAD).values("trust"))
    ).select_related("trust")


def roles_in_school(user, school):
    """The user's active roles in `school`, including trust oversight of it."""
    active = Membership.objects.active().filter(user=user)
    roles = set(active.filter(school=school).values_list("role", flat=True))
    if school.trust_id and active.filter(role=Role.TRUST_LEAD, trust_id=school.trust_id).exists():
        roles.add(Role.TRUST_LEAD)
    return frozenset(Role(r) for r in roles)


def pupil_list_for_user(user, school):
    """Pupils of `school` that the user holds view permission on (superusers get nothing extra)."""
    return get_objects_for_user(user, "safeguard.view_pupil", Pupil.objects.filter(school=school), with_superuser=False)


def get_pupil_for_user_or_404(user, school, pk):
    try:
        return pupil_list_for_user(user, school).get(pk=pk)
    except (Pupil.DoesNotExist, ValueError):
        raise Http404 from None


def dsl_team_for_school(school):
    """Who a member of staff should talk to: the school's DSL and deputies, in force today."""
    return (
        Membership.objects.active()
        .filter(school=school, role__in=[Role.DSL, Role.DEPUTY_DSL])
        .select_related("user")
        .order_by("-role", "user__last_name")  # the DSL before deputies
    )


def register_summary(user, school):
    """Counts for a dashboard: pupils on roll the user may see, and those with each vulnerability flag."""
    on_roll = pupil_list_for_user(user, school).filter(date_left__isnull=True)
    return on_roll.aggregate(
        total=Count("pk"),
        send=Count("pk", filter=Q(send=True)),
        looked_after=Count("pk", filter=Q(looked_after=True)),
        known_to_social_care=Count("pk", filter=Q(known_to_social_care=True)),
    )


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
