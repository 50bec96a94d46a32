import pytest

from customers.models import Customer
from customers.selectors import customer_get, customer_list, customer_search
from customers.services import customer_update
from execora.exceptions import NotFound
from tests.customers.factories import make_customer


@pytest.fixture
def khata(shop):
    """A small shop's customers: two Rameshes, a Sharma, one saved in Devanagari."""
    return {
        "ramesh_kumar": make_customer(shop, "Ramesh Kumar", phone="9876543210"),
        "ramesh_yadav": make_customer(shop, "Ramesh Yadav", phone="9123456780"),
        "rakesh_sharma": make_customer(shop, "Rakesh Sharma", aliases=["Pappu"]),
        "sunita": make_customer(shop, "सुनीता देवी", phone="9988776655"),
        "irfan": make_customer(shop, "Mohammad Irfan"),
    }


def _names(result):
    return [match.customer.name for match in result.matches]


def test_customer_get_returns_the_shops_customer(shop, khata):
    assert customer_get(business=shop, customer_id=khata["sunita"].pk) == khata["sunita"]


def test_customer_get_of_another_shops_id_is_not_found(shop, other_shop, khata):
    theirs = make_customer(other_shop, "Ramesh Kumar")
    with pytest.raises(NotFound):
        customer_get(business=shop, customer_id=theirs.pk)
    with pytest.raises(NotFound):
        customer_get(business=shop, customer_id="not-a-number")


def test_one_first_name_shared_by_two_customers_is_ambiguous(shop, khata):
    # when the shopkeeper says only "Ramesh"
    result = customer_search(business=shop, query="Ramesh")
    # then both Rameshes are offered and neither is picked
    assert set(_names(result)[:2]) == {"Ramesh Kumar", "Ramesh Yadav"}
    assert result.ambiguous is True
    assert result.best is None


def test_the_full_name_picks_one_namesake(shop, khata):
    result = customer_search(business=shop, query="Ramesh Yadav")
    assert result.best == khata["ramesh_yadav"]
    assert result.ambiguous is False
    assert result.matches[0].score == 100
    assert result.matches[0].matched_on == "Ramesh Yadav"


def test_a_typo_still_finds_the_customer(shop, khata):
    # given one Irfan / when misspelt
    result = customer_search(business=shop, query="Mohamad Irfaan")
    assert result.best == khata["irfan"]
    result = customer_search(business=shop, query="Mohammd Irfan")
    assert result.best == khata["irfan"]


def test_a_different_name_does_not_find_a_lookalike(shop, khata):
    # "Suresh" is not "Ramesh"
    result = customer_search(business=shop, query="Suresh")
    assert result.matches == []
    assert result.best is None


def test_devanagari_query_finds_a_latin_name(shop, khata):
    result = customer_search(business=shop, query="मोहम्मद इरफ़ान")
    assert result.best == khata["irfan"]


def test_latin_query_finds_a_devanagari_name(shop, khata):
    result = customer_search(business=shop, query="Suneeta Devi")
    assert result.best == khata["sunita"]
    assert result.matches[0].matched_on == "सुनीता देवी"


def test_honorifics_are_ignored_and_a_surname_is_enough(shop, khata):
    # "Sharma ji" finds Rakesh Sharma through his surname
    result = customer_search(business=shop, query="Sharma ji")
    assert result.best == khata["rakesh_sharma"]
    result = customer_search(business=shop, query="Sunita didi")
    assert result.best == khata["sunita"]
    # "Ramesh ji" is still ambiguous between the two Rameshes
    result = customer_search(business=shop, query="Ramesh ji")
    assert result.ambiguous is True and result.best is None


def test_an_alias_finds_the_customer_and_says_so(shop, khata):
    result = customer_search(business=shop, query="pappu")
    assert result.best == khata["rakesh_sharma"]
    assert result.matches[0].matched_on == "Pappu"


def test_an_alias_with_an_honorific_matches_exactly(shop, khata):
    # given one Ramesh known as "Ramesh bhaiya"
    ramesh = khata["ramesh_kumar"]
    customer_update(business=shop, customer_id=ramesh.pk, aliases=["Ramesh bhaiya"])
    # when the shopkeeper says exactly that / then it is him, not the other Ramesh
    result = customer_search(business=shop, query="Ramesh bhaiya")
    assert result.best == ramesh


@pytest.mark.parametrize(
    "query", ["9876543210", "+91 98765 43210", "098765-43210", "(98765) 43210"]
)
def test_phone_in_any_format_finds_the_customer(shop, khata, query):
    result = customer_search(business=shop, query=query)
    assert result.best == khata["ramesh_kumar"]
    assert result.matches[0].matched_on == "9876543210"


def test_the_tail_of_a_phone_finds_its_customer(shop, khata):
    result = customer_search(business=shop, query="6655")
    assert result.best == khata["sunita"]
    assert customer_search(business=shop, query="55").matches == []


def test_a_phone_tail_shared_by_two_customers_is_ambiguous(shop, khata):
    make_customer(shop, "Dinesh Patel", phone="9000006655")
    result = customer_search(business=shop, query="6655")
    assert len(result.matches) == 2
    assert result.ambiguous is True and result.best is None


def test_search_never_returns_another_shops_customer(shop, other_shop, khata):
    # given another shop with a customer of the same name and a unique one
    make_customer(other_shop, "Ramesh Yadav", phone="9876543210")
    make_customer(other_shop, "Zainab Ansari", phone="9111111111")
    # then our search sees only ours
    assert customer_search(business=shop, query="Zainab Ansari").matches == []
    assert customer_search(business=shop, query="9111111111").matches == []
    result = customer_search(business=shop, query="Ramesh Yadav")
    assert result.best == khata["ramesh_yadav"]
    assert all(match.customer.business_id == shop.pk for match in result.matches)
    result = customer_search(business=shop, query="9876543210")
    assert result.best == khata["ramesh_kumar"]


def test_customers_saved_around_the_services_are_still_found(shop, khata):
    # given a customer bulk-created with no search key
    Customer.objects.bulk_create([Customer(business=shop, name="Gita Verma")])
    # when searched / then their keys are computed on the fly
    result = customer_search(business=shop, query="Geeta Verma")
    assert result.best is not None and result.best.name == "Gita Verma"


def test_empty_query_finds_nothing(shop, khata):
    assert customer_search(business=shop, query="  ").matches == []


def test_limit_caps_the_matches(shop, khata):
    for n in range(6):
        make_customer(shop, f"Ramesh {['Gupta', 'Verma', 'Jain', 'Shah', 'Rao', 'Das'][n]}")
    result = customer_search(business=shop, query="Ramesh", limit=3)
    assert len(result.matches) == 3
    assert result.ambiguous is True


def test_customer_list_is_the_shops_customers_by_name(shop, other_shop, khata):
    make_customer(other_shop, "Aakash Other")
    names = [c.name for c in customer_list(business=shop)]
    assert names == sorted(names)
    assert "Aakash Other" not in names
    assert len(names) == 5


def test_customer_list_with_search_uses_the_ranking(shop, khata):
    # given "Ramesh Yadav" as a search / then the exact name comes first, the namesake later
    ranked = list(customer_list(business=shop, search="Ramesh Yadv"))
    assert ranked[0] == khata["ramesh_yadav"]
    assert khata["irfan"] not in ranked
    assert list(customer_list(business=shop, search="Nobody Like This")) == []
    assert list(customer_list(business=shop, search="9123456780")) == [khata["ramesh_yadav"]]


def test_search_follows_renames_and_new_customers(shop, khata):
    # given a search that built the shop's index
    assert customer_search(business=shop, query="Pappu").best == khata["rakesh_sharma"]
    # when the alias moves to someone else through the service
    customer_update(business=shop, customer_id=khata["rakesh_sharma"].pk, aliases=[])
    customer_update(business=shop, customer_id=khata["irfan"].pk, aliases=["Pappu"])
    # then the next search sees it
    assert customer_search(business=shop, query="Pappu").best == khata["irfan"]
    # and a customer added around the services is seen too
    Customer.objects.bulk_create([Customer(business=shop, name="Zainab Ansari")])
    assert customer_search(business=shop, query="Zainab").best.name == "Zainab Ansari"
