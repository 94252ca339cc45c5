"""Transfer pipeline, technology contracts and their metrics (local conversion rate, turnover)."""
