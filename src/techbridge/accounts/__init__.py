"""Accounts: users, roles, password hashing and authentication."""
