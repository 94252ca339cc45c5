"""Subscriptions, scoring new records against them, notifications and e-mail digests."""
