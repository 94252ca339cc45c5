"""The innovation-resource registry.

Reads: queries.py (core lookups), list_queries.py, detail_queries.py, count_queries.py. Writes and entity
resolution: service.py, resolve.py.
"""
