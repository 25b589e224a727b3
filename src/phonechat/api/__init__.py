"""The HTTP API: a small ASGI application (routes, auth, negotiation, representations)."""
