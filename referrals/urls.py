from django.urls import path

from .views import decision, parents, referrals, signatories

app_name = "referrals"

urlpatterns = [
    # The safeguarding team's decision, and the headteacher's (or a named signatory's) sign-off.
    path("cases/<int:pk>/decision/", decision.decision, name="decision"),
    path("cases/<int:pk>/sign-off/", decision.sign_off, name="sign_off"),
    # Referrals, and their follow-up until the outcome is known.
    path("cases/<int:pk>/referrals/new/", referrals.referral_new, name="referral_new"),
    path("cases/<int:pk>/referrals/<int:rid>/follow-up/", referrals.follow_up, name="follow_up"),
    path("cases/<int:pk>/referrals/<int:rid>/escalate/", referrals.escalate, name="escalate"),
    path("cases/<int:pk>/referrals/<int:rid>/outcome/", referrals.outcome, name="outcome"),
    # Parents and carers.
    path("cases/<int:pk>/parents/new/", parents.parent_contact, name="parent_contact"),
    # The headteacher names signatories.
    path("signatories/", signatories.signatories, name="signatories"),
    path("signatories/<int:sid>/end/", signatories.signatory_end, name="signatory_end"),
]
