"""The product's own emails to a person (an invitation, a two-factor enrolment link): sent from one place."""

from django.core.mail import send_mail
from django.db import transaction


def email_person(*, to, subject, body):
    """Send one email once the change that asked for it is committed: a rolled-back change sends nothing.

    The one door for these emails, so that the transactional outbox (issue 8, section 5) replaces this body alone.
    """
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]), robust=True)
