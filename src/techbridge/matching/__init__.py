"""Matching use cases over search/: demand → achievements and experts, achievement → enterprises, explanations."""
