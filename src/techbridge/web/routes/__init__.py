"""Portal routes, one module per feature; JSON endpoints live in routes/api/."""
