"""JSON API under /api/v1, authenticated with `Authorization: Bearer TOKEN`."""
