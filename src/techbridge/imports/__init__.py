"""Importers: one module per source in ../shared/data plus a generic spreadsheet importer; writes go via writer.py."""
