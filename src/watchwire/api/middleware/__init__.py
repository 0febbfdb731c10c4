"""ASGI middleware of the native API (pure ASGI: no per-request task or body copy)."""
