"""Trusts, schools and their calendars, who works in them and in what role, the pupil register, and the access
log."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history import register
from simple_history.models import HistoricalRecords

from .roles import Role


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)
    history = HistoricalRecords()

    def __str__(self):
        return self.name


class Nation(models.TextChoices):
    """The nations of the UK, each with its own bank holidays; the values are the `holidays` package's codes."""

    ENGLAND = "ENG", "England"
    WALES = "WLS", "Wales"
    SCOTLAND = "SCT", "Scotland"
    NORTHERN_IRELAND = "NIR", "Northern Ireland"


class School(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="schools", null=True, blank=True)
    name = models.CharField(max_length=200)
    urn = models.CharField("URN", max_length=8, unique=True, help_text="Unique reference number from GIAS")
    nation = models.CharField(
        "Bank holidays of",
        max_length=3,
        choices=Nation.choices,
        default=Nation.ENGLAND,
        help_text="The working-day clocks skip this nation's bank holidays.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        """Memberships in force today: not ended, and not past an end date (checked on every request)."""
        on = on or timezone.localdate()
        return self.filter(ended_at__isnull=True, starts_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )


class Membership(models.Model):
    """A person's role in one school, or (for a trust safeguarding lead) oversight of one trust."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True)
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True)
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True, help_text="Last day of access, for time-limited roles")
    ended_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_school_xor_trust",
                condition=(Q(role=Role.TRUST_LEAD, trust__isnull=False, school__isnull=True))
                | (~Q(role=Role.TRUST_LEAD) & Q(school__isnull=False, trust__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school", "trust"],
                condition=Q(ended_at__isnull=True),
                name="membership_one_open_per_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.school or self.trust}"

    def is_active(self, on=None):
        on = on or timezone.localdate()
        return self.ended_at is None and self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class CalendarEntryQuerySet(models.QuerySet):
    def current(self):
        """The entries in force: not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class CalendarEntry(models.Model):
    """A date or dates a school entered in its calendar. Never rewritten: a wrong entry is withdrawn (who and when
    are kept) and the right one added."""

    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )

    objects = CalendarEntryQuerySet.as_manager()

    class Meta:
        abstract = True


class Term(CalendarEntry):
    """A stretch of the school year when the school is open, its first day to its last.

    A half term is the gap between two terms, so each half of a term is a term of its own: six a year in England
    (autumn 1 and 2, spring 1 and 2, summer 1 and 2). Weekends and bank holidays inside a term are not school days.
    """

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="terms")
    name = models.CharField(max_length=60, help_text="For example, Autumn 1")
    starts_on = models.DateField("First day")
    ends_on = models.DateField("Last day")
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(name="term_ends_on_or_after_its_start", condition=Q(ends_on__gte=F("starts_on")))
        ]

    def __str__(self):
        return f"{self.name}, {self.starts_on:%d %B %Y} to {self.ends_on:%d %B %Y}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The last day is before the first day."})


class InsetDay(CalendarEntry):
    """A training day in term: staff are in school and pupils are not. Agencies still work, so it is a working day,
    but it is not a school day."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="inset_days")
    day = models.DateField("Date")
    description = models.CharField("What it is for", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "INSET day"
        ordering = ["day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "day"],
                condition=Q(withdrawn_at__isnull=True),
                name="inset_day_once_per_school",
                violation_error_message="This day is already an INSET day.",
            )
        ]

    def __str__(self):
        return f"INSET day, {self.day:%d %B %Y}"


upn_validator = RegexValidator(
    r"^[A-Z][0-9]{11}[0-9A-Z]$",
    "A UPN is 13 characters: a capital letter, 11 digits, then a digit or letter.",
)


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"


YEAR_GROUPS = [("N", "Nursery"), ("R", "Reception")] + [(str(y), f"Year {y}") for y in range(1, 15)]


class Pupil(models.Model):
    """A child on the school's register. Age and vulnerability flags feed the immediate-referral criteria."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField("UPN", max_length=13, validators=[upn_validator])
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    year_group = models.CharField(max_length=2, choices=YEAR_GROUPS)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    send = models.BooleanField("SEND", default=False, help_text="Special educational needs or disability")
    looked_after = models.BooleanField(default=False)
    known_to_social_care = models.BooleanField("Known to children's social care", default=False)
    previously_abused = models.BooleanField(default=False)
    date_left = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(fields=["school", "upn"], name="pupil_upn_unique_in_school")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: datetime.date) -> int:
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday

    @property
    def flags(self):
        """The vulnerability flags that are set, as labels (never shown by colour alone)."""
        names = ["send", "looked_after", "known_to_social_care", "previously_abused"]
        return [self._meta.get_field(n).verbose_name for n in names if getattr(self, n)]


class AccessLog(models.Model):
    """Who opened which record, when and how. Append-only: PostgreSQL refuses UPDATE and DELETE on it."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Listed"  # shown as a line in a list (a reference, a summary), not opened
        DOWNLOAD = "download", "Downloaded"
        EXPORT = "export", "Exported"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", null=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    action = models.CharField(max_length=10, choices=Action.choices)
    # The page that showed it (its path, never the query string, which may hold a searched-for name).
    page = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.user} {self.get_action_display().lower()} {self.content_type.model} {self.object_id}"


class OutboxMessage(models.Model):
    """A background job written in the same transaction as the change that needs it (a transactional outbox).

    The row exists exactly when the change does, so a broker that is down loses nothing: the job is handed over
    later, by the beat's minute-by-minute dispatch or by a worker starting up. `handed_over_at` is when the broker
    last took it; `done_at` is when a worker finished it, and a message that is done is never run again.
    The application never deletes a row (PostgreSQL refuses DELETE): the table is the record of what was sent.
    """

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Times it was handed to the broker")
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        # The dispatcher reads only what is not done yet, oldest first.
        indexes = [models.Index(fields=["created_at"], condition=Q(done_at__isnull=True), name="outbox_not_done")]

    def __str__(self):
        return f"{self.task} #{self.pk}"


# People's accounts keep a history too: sign-in name, names, email, and the active, staff and superuser flags. Never
# the password hash, and not each sign-in's time (safeguard.audit skips a save that changes only those).
register(User, app="safeguard", excluded_fields=["password", "last_login"])
