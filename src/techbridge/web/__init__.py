"""The portal (HTML + HTMX) and the JSON API: thin adapters over the domain services."""
