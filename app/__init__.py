"""defcoop: an open API and database of international defense cooperation."""

__version__ = "0.1.0"
