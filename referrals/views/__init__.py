"""The pages of the decision, its sign-off, referrals and their follow-up, parents told, and signatories."""
