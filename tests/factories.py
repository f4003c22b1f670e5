"""factory_boy factories. Audited models are created through services, so their history names a person."""

import datetime

import factory
from django.contrib.auth import get_user_model

from safeguard import policy, services
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
        pupil = audited_save(model_class(**kwargs), actor=admin_user(), reason="Test pupil")
        policy.pupils_grant(school=pupil.school, pupils=[pupil])
        return pupil
