import pytest
from django.core.management import call_command

from tests.factories import UserFactory

# Real servers (PostgreSQL primary and replica, PgBouncer, Redis, gunicorn) for the scale-out tests.
pytest_plugins = ["tests.served"]


@pytest.fixture
def curator(db):
    return UserFactory(username="curator", is_staff=True, groups=["Curators"])


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def demo(db):
    """The shipped demo catalogue (the Treaty of Berlin world)."""
    call_command("loaddata", "treaty_of_berlin", verbosity=0)
