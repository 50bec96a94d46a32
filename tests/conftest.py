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


@pytest.fixture
def celery_eager():
    """Tasks run inline where they are published (after the commit, with on_commit)."""
    from execora.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before
