"""The votes as training labels: one row per vote, for machine learning (:mod:`.export`)."""
