"""The innovation-resource registry: reads (queries.py), writes and entity resolution (service.py, resolve.py)."""
