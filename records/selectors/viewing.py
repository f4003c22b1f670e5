"""Reads of the imagery-viewing log. The case is already found through the scoped case selector."""

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Concat

from incidents.selectors import incident_list_for_user
from safeguard.roles import Role

from ..viewing_models import ImageryViewing, ViewingDelegation, ViewingSignature, ViewingSigner


def viewings_for_case(incident):
    """The case's viewings, oldest first, each with its signatures (two queries for any number)."""
    signatures = ViewingSignature.objects.select_related("signed_by")
    return (
        ImageryViewing.objects.filter(incident=incident)
        .select_related("involvement__pupil", "viewed_by", "present", "head_told", "recorded_by")
        .prefetch_related(Prefetch("signatures", queryset=signatures))
    )


def viewings_for_case_page(incident):
    """The case's viewings for its page, oldest first, in one query: each with when the viewer signed
    (`viewer_signed_at`; the viewer signs as themselves) and when and by whom the headteacher signed."""

    def signed(signer, field):
        found = ViewingSignature.objects.filter(viewing=OuterRef("pk"), signer=signer)
        if field == "name":
            found = found.annotate(name=Concat("signed_by__first_name", Value(" "), "signed_by__last_name"))
        return Subquery(found.values(field)[:1])

    return (
        ImageryViewing.objects.filter(incident=incident)
        .select_related("involvement__pupil", "viewed_by", "present", "head_told", "recorded_by")
        .annotate(
            viewer_signed_at=signed(ViewingSigner.VIEWER, "signed_at"),
            head_signed_at=signed(ViewingSigner.HEADTEACHER, "signed_at"),
            head_signed_by_name=signed(ViewingSigner.HEADTEACHER, "name"),
        )
    )


def viewing_for_case_or_none(incident, pk):
    return viewings_for_case(incident).filter(pk=pk).first()


def unsigned(viewings):
    """The viewings among `viewings` (with their signatures prefetched) not yet signed by both."""
    return [v for v in viewings if {s.signer for s in v.signatures.all()} != set(ViewingSigner.values)]


def awaiting_signature_for_user(user, school, roles):
    """Viewings on cases the user may see that wait for their signature: as the viewer, or as the headteacher."""
    cases = incident_list_for_user(user, school).values("pk")
    found = ImageryViewing.objects.filter(incident__in=cases).select_related("incident", "viewed_by")

    def signed_as(signer):
        return ViewingSignature.objects.filter(signer=signer).values("viewing")

    waiting = Q(viewed_by=user) & ~Q(pk__in=signed_as(ViewingSigner.VIEWER))
    if Role.HEADTEACHER in roles:
        waiting |= ~Q(pk__in=signed_as(ViewingSigner.HEADTEACHER))
    return found.filter(waiting).order_by("viewed_at", "pk")


def open_delegations(school):
    return ViewingDelegation.objects.filter(school=school, ended_at__isnull=True).select_related("user", "granted_by")


def headteacher_notification_pending():
    """While a viewing on the notification's case waits for the headteacher's signature: what keeps the headteacher's
    "Imagery viewed" notification in their list (incidents.selectors.register_notification_pending)."""
    head_signed = ViewingSignature.objects.filter(viewing=OuterRef("pk"), signer=ViewingSigner.HEADTEACHER)
    return Q(Exists(ImageryViewing.objects.filter(incident=OuterRef("incident")).exclude(Exists(head_signed))))
