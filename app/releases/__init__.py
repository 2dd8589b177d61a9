"""Citable releases of the whole database (`defcoop release`), and loading one back
(`defcoop load-release`)."""
