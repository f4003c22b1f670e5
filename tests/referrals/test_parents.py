"""Parents and carers: for each pupil, told (when, by whom, how) or not told, with the reasons (seed 004 §3.5)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services as case_services
from incidents.errors import CasePermissionDenied
from incidents.models import EntryKind
from referrals import selectors, services

pytestmark = pytest.mark.django_db


def test_parents_told_when_by_whom_and_how(dsl, deputy, case_in):
    case = case_in("under_review")
    involvement = case.involvements.get()
    when = timezone.now() - datetime.timedelta(hours=1)

    contact = services.parent_contact_record(
        actor=dsl,
        involvement=involvement,
        told=True,
        told_at=when,
        told_by=deputy,
        method="phone",
        contact_name="Mother",
    )

    assert (contact.told_at, contact.told_by, contact.recorded_by) == (when, deputy, dsl)
    assert contact.history.get().history_user == dsl
    assert "Mother" in case.chronology.get(kind=EntryKind.PARENT_CONTACT).text
    assert list(selectors.parent_contacts_for_case(case)) == [contact]


def test_parents_told_by_the_police_are_recorded_too(dsl, case_in):
    involvement = case_in("referred").involvements.get()
    contact = services.parent_contact_record(
        actor=dsl,
        involvement=involvement,
        told=True,
        told_at=timezone.now(),
        told_by_other="DC Price, child abuse investigation team",
        method="in_person",
    )
    assert contact.told_by is None and contact.told_by_other.startswith("DC Price")


def test_not_telling_parents_needs_the_reasons(dsl, case_in):
    involvement = case_in("under_review").involvements.get()
    with pytest.raises(ValidationError) as refused:
        services.parent_contact_record(actor=dsl, involvement=involvement, told=False)
    assert "reasons_not_told" in refused.value.message_dict

    contact = services.parent_contact_record(
        actor=dsl,
        involvement=involvement,
        told=False,
        reasons_not_told="The pupil disclosed harm at home; police advised waiting until they have spoken to her.",
    )
    assert not contact.told


def test_telling_parents_needs_when_who_and_how(dsl, case_in):
    involvement = case_in("under_review").involvements.get()
    with pytest.raises(ValidationError) as refused:
        services.parent_contact_record(actor=dsl, involvement=involvement, told=True)
    assert {"told_at", "told_by", "method"} <= set(refused.value.message_dict)


def test_parents_are_recorded_for_pupils_of_this_case(dsl, case_in):
    case = case_in("under_review")
    adult = case_services.involvement_add(actor=dsl, incident=case, part="caused_harm", other_name="Unknown adult")
    other_case_pupil = case_in("under_review").involvements.get()
    with pytest.raises(ValidationError):
        services.parent_contact_record(actor=dsl, involvement=adult, told=False, reasons_not_told="Not a pupil")
    # An involvement from another case is found through its own case, never attached to this one.
    contact = services.parent_contact_record(
        actor=dsl, involvement=other_case_pupil, told=False, reasons_not_told="Waiting for police advice"
    )
    assert contact.incident == other_case_pupil.incident


def test_only_the_safeguarding_team_records_it(head, staff, case_in):
    involvement = case_in("under_review").involvements.get()
    for someone in (head, staff):
        with pytest.raises(CasePermissionDenied):
            services.parent_contact_record(actor=someone, involvement=involvement, told=False, reasons_not_told="x")
