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
