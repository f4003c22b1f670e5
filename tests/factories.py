"""factory_boy factories. Audited models are created through services, so their history names a person."""

import datetime

import factory
from django.contrib.auth import get_user_model

from safeguard import services
from safeguard.audit import audited_save
from safeguard.models import Pupil


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


def admin_user():
    """The person who sets schools up: a superuser, who is not a case worker."""
    return UserFactory(username="setup.admin", is_staff=True, is_superuser=True)


class TrustFactory(factory.Factory):
    class Meta:
        model = dict

    name = factory.Sequence(lambda n: f"Trust {n}")

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.trust_create(actor=admin_user(), **kwargs)


class SchoolFactory(factory.Factory):
    class Meta:
        model = dict

    name = factory.Sequence(lambda n: f"School {n}")
    urn = factory.Sequence(lambda n: f"{100000 + n}")
    trust = factory.SubFactory(TrustFactory)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.school_create(actor=admin_user(), **kwargs)


def member(role, school=None, trust=None, user=None, **kwargs):
    """A user holding `role` in `school` (or, for a trust lead, over `trust`)."""
    user = user or UserFactory()
    services.membership_grant(actor=admin_user(), user=user, role=role, school=school, trust=trust, **kwargs)
    return user


def signed_in_client(client, user, school=None):
    """Sign `user` in on a test `client`, past the second factor, as a browser ends up after both steps."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguard.middleware import SESSION_SCHOOL_KEY

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    if school is not None:
        session[SESSION_SCHOOL_KEY] = school.pk
    session.save()
    return client


class PupilFactory(factory.Factory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    upn = factory.Sequence(lambda n: f"A{n:011d}0")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = datetime.date(2012, 3, 14)
    year_group = "9"
    sex = "F"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return audited_save(model_class(**kwargs), actor=admin_user(), reason="Test pupil")


def pupil_register(school, numbers):
    """Pupils on roll numbered `numbers`, made in one go for speed (a large secondary school has about 1,500);
    unlike an import, this writes no history rows, so it is for tests and benchmarks only.

    Names repeat, as in a real register: ten first names, and last names that share their first letters.
    """
    first = ["Amira", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hassan", "Isla", "Jack"]
    last = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Smith", "Jones", "Taylor", "Wilson", "Patel"]
    return Pupil.objects.bulk_create(
        Pupil(
            school=school,
            upn=f"B{n:011d}0",
            first_name=first[n % 10],
            last_name=f"{last[n // 10 % 10]}{n // 100 or ''}",
            date_of_birth=datetime.date(2010 + n % 7, 1 + n % 12, 1 + n % 28),
            year_group=str(7 + n % 7),
            sex="F",
        )
        for n in numbers
    )


# --- Cases: a helper per workflow state, built through the services so every history row names a person --------

TEST_PASSWORD = "a-long-test-password"  # what UserFactory sets; services ask for it again to sign


def role_holder(role, school):
    """The person holding `role` in `school` (for a trust lead, over its trust), made if there is none yet."""
    from safeguard.models import Membership
    from safeguard.roles import Role

    if role == Role.TRUST_LEAD:
        found = Membership.objects.active().filter(role=role, trust=school.trust_id).order_by("pk").first()
        return found.user if found else member(role, trust=school.trust)
    found = Membership.objects.active().filter(role=role, school=school).order_by("pk").first()
    return found.user if found else member(role, school=school)


def concern_details(**overrides):
    """What a member of staff writes when logging a typical concern (nudes shared without consent)."""
    from django.utils import timezone

    now = timezone.now()
    details = {
        "occurred_at": now - datetime.timedelta(days=2),
        "came_to_light_at": now - datetime.timedelta(days=1),
        "location": "Online; told to her form tutor at school",
        "how_came_to_light": "told_by_child",
        "categories": ["conduct", "contact"],
        "harm_kind": "nudes_sharing",
        "childs_words": "I sent it to him because I trusted him. Now people in my year have it.",
        "observations": "She was tearful and asked who else would be told. I said I must pass it on to keep her safe.",
        "imagery_description": "No image was seen. She said a semi-nude photo of her is in a year-group chat.",
    }
    details.update(overrides)
    return details


def meeting_answers(*, yes=(), not_yet_known=()):
    """Review-meeting answers: every question, criterion and aggravating factor 'no' unless named in `yes` or
    `not_yet_known`."""
    from incidents.models import AGGRAVATING_FACTORS, CRITERIA, QUESTIONS

    answers = {}
    for field, _ in QUESTIONS + CRITERIA + AGGRAVATING_FACTORS:
        answers[field] = "yes" if field in yes else "not_yet_known" if field in not_yet_known else "no"
        answers[f"{field}_notes"] = ""
    return answers


def annex_a_answers(**overrides):
    """A full set of Annex A answers for a decision to manage in school."""
    from referrals.models import ANNEX_A

    answers = {}
    for field, question in ANNEX_A:
        answers[f"{field}_answer"] = "no"
        answers[field] = f"Considered: {question[:40]}… Answer recorded."
    answers.update(overrides)
    return answers


CASE_STATES = [
    "draft",
    "reported",
    "under_review",
    "referral_required",
    "referred",
    "awaiting_sign_off",
    "managed_in_school",
    "closed",
    "reopened",
]


def make_case(*, school, state="reported", pupils=None, criteria_yes=(), password=TEST_PASSWORD, **details):
    """A case in `state`, built step by step through the services as the school's people would.

    draft; reported (a new concern, awaiting review); under_review (meeting held, no decision yet);
    referral_required (the meeting met a criterion, `criteria_yes` or else an adult involved); referred
    (to social care, awaiting outcome); awaiting_sign_off; managed_in_school; closed (after being managed in
    school); reopened.
    """
    from incidents import services as case_services
    from referrals import services as referral_services
    from safeguard.roles import Role

    if state not in CASE_STATES:
        raise ValueError(f"No such case state for tests: {state}")
    reporter = role_holder(Role.STAFF, school)
    dsl = role_holder(Role.DSL, school)
    pupils = pupils if pupils is not None else [PupilFactory(school=school)]
    case = case_services.concern_draft_create(actor=reporter, school=school, **concern_details(**details))
    for i, pupil in enumerate(pupils):
        part = "harmed" if i == 0 else "received"
        case_services.involvement_add(actor=reporter, incident=case, pupil=pupil, part=part)
    if state == "draft":
        return case
    case = case_services.concern_submit(actor=reporter, incident=case)
    if state == "reported":
        return case
    from django.utils import timezone

    if state == "referral_required" and not criteria_yes:
        criteria_yes = ["adult_involved"]
    case_services.review_meeting_record(
        actor=dsl,
        incident=case,
        held_at=timezone.now() - datetime.timedelta(hours=1),
        attendees=[dsl],
        answers=meeting_answers(yes=criteria_yes),
    )
    case.refresh_from_db()
    if state in ("under_review", "referral_required"):
        return case
    # Parents told after the meeting, as a case that goes on to a referral or closure has them.
    for involvement in case.involvements.filter(pupil__isnull=False):
        referral_services.parent_contact_record(
            actor=dsl,
            involvement=involvement,
            told=True,
            told_at=timezone.now() - datetime.timedelta(minutes=30),
            told_by=dsl,
            contact_name="A parent",
            method="phone",
        )
    if state == "referred":
        referral_services.referral_make(
            actor=dsl,
            incident=case,
            agency="social_care",
            method="phone",
            made_at=timezone.now() - datetime.timedelta(minutes=45),  # after the meeting, before any follow-up
            information_shared="The concern as logged, and the pupils' details.",
            reference_number="MASH-0001",
        )
        case.refresh_from_db()
        return case
    decision = referral_services.decision_record(
        actor=dsl,
        incident=case,
        kind="manage_in_school",
        reasons="Shared within a relationship, no aggravating factors; support in school is proportionate.",
        plan="Pastoral support weekly; deletion confirmed with both pupils; parents told.",
        annex_a=annex_a_answers(),
    )
    case.refresh_from_db()
    if state == "awaiting_sign_off":
        return case
    head = role_holder(Role.HEADTEACHER, school)
    referral_services.decision_sign_off(actor=head, decision=decision, outcome="signed_off", password=password)
    case.refresh_from_db()
    if state == "managed_in_school":
        return case
    case = case_services.case_close(
        actor=dsl, incident=case, summary="Plan completed; the pupils are supported.", password=password
    )
    if state == "closed":
        return case
    return case_services.case_reopen(actor=dsl, incident=case, reason="New information from a parent.")


class CaseFactory(factory.Factory):
    """A case in a given workflow state: CaseFactory(school=..., awaiting_sign_off=True)."""

    class Meta:
        model = dict

    class Params:
        draft = factory.Trait(state="draft")
        new_concern = factory.Trait(state="reported")
        awaiting_review = factory.Trait(state="reported")
        under_review = factory.Trait(state="under_review")
        referred_awaiting_outcome = factory.Trait(state="referred")
        awaiting_sign_off = factory.Trait(state="awaiting_sign_off")
        managed_in_school = factory.Trait(state="managed_in_school")
        closed = factory.Trait(state="closed")
        reopened = factory.Trait(state="reopened")

    school = factory.SubFactory(SchoolFactory)
    state = "reported"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return make_case(**kwargs)


def two_factor_code(user):
    """A current code from `user`'s authenticator (a confirmed TOTP device is made if they have none)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=True
    )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"
