"""What the referrals pages add to the case pages' shared helpers (incidents.views.common)."""

from django.shortcuts import get_object_or_404

from .. import selectors


def referral_for(case, rid):
    """A referral of `case` (already found through the scoped selector); 404 for another case's referral."""
    return get_object_or_404(selectors.referrals_for_case(case), pk=rid)
