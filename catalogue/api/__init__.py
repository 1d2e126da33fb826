"""The read-only JSON API (Django REST Framework) at /api/, with its OpenAPI schema."""
