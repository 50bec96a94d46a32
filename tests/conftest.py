import pytest

from tests.factories import BusinessFactory, member


@pytest.fixture
def shop(db):
    return BusinessFactory(name="Sharma Kirana")


@pytest.fixture
def other_shop(db):
    return BusinessFactory(name="Gupta General Store")


@pytest.fixture
def owner(shop):
    return member(shop, "owner", username="owner")


@pytest.fixture
def staff(shop):
    return member(shop, "staff", username="staff")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Login lockouts and API rate counters live in Redis, outside the test transaction:
    without this, failed logins of one test would lock out the next."""
    from execora.api.throttling import reset_rate_limits

    reset_rate_limits()
    yield
