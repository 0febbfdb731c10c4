"""HTTP faces: the native API (v1) and the compatibility dialects, all thin over services."""
