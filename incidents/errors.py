"""Refusals a case service can give, each with a plain-English message a page can show as it is.

Problems with a single field come as Django's ValidationError (from the model's clean(), or incidents.dates), so
forms can attach them to the field; refusals of the workflow itself come as one of these.
"""

from django.core.exceptions import PermissionDenied


class Problem(str):
    """A refusal's reason that belongs to one field of the record, so a page can show it beside that field."""

    def __new__(cls, message, *, field):
        problem = super().__new__(cls, message)
        problem.field = field
        return problem


class CaseError(Exception):
    """A case service refused to do what was asked; `message` says why, calmly and plainly."""

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [message])

    def __str__(self):
        return self.message


class IllegalTransition(CaseError):
    """The move asked for is not in the table of allowed moves."""


class TransitionRefused(CaseError):
    """The move is allowed in general, but a rule for this step is not met yet; `problems` lists each one."""


class CaseReadOnly(CaseError):
    """The case is closed (or not yet reported), so this change cannot be made to it."""


class RuleBroken(CaseError):
    """A safeguarding rule refuses this (e.g. manage in school while an immediate-referral criterion is met)."""


class ReauthenticationFailed(CaseError):
    """The password or two-factor code given to confirm a signature was not right."""


class CasePermissionDenied(PermissionDenied):
    """The person may not do this to this case. A view shows 403 (the case itself was found through a selector)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message
