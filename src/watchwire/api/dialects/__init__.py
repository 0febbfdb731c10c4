"""Compatibility dialects: other services' documented APIs served over watchwire's services.

Each dialect is a translation (paths, auth, envelope, field names, form bodies) mounted on
the main app; no business rule lives in one.
"""
