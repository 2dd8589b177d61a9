"""Curation: the one path every change to the data takes (API writes, the seed, importers)."""
