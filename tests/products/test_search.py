from products.search import product_search
from products.services import product_update
from tests.products.factories import make_product


def test_an_alias_finds_the_product(shop):
    # given Sugar, also called cheeni
    sugar = make_product(shop, "Sugar", aliases=["cheeni", "shakkar"])
    make_product(shop, "Salt", aliases=["namak"])
    # when asked for in Hinglish or in Devanagari / then it is found
    for query in ("cheeni", "Chini", "चीनी", "sugar"):
        result = product_search(business=shop, query=query)
        assert result.best == sugar, query
    assert product_search(business=shop, query="चीनी").matches[0].matched_on == "cheeni"


def test_a_devanagari_alias_matches_a_latin_query(shop):
    atta = make_product(shop, "Wheat Flour", aliases=["आटा"])
    result = product_search(business=shop, query="aata")
    assert result.best == atta
    assert result.matches[0].matched_on == "आटा"


def test_sku_matches_exactly_ignoring_case_and_dashes(shop):
    oil = make_product(shop, "Mustard Oil 1L", unit="l", sku="OIL-MUS-1L")
    make_product(shop, "Mustard Oil 5L", unit="l", sku="OIL-MUS-5L")
    result = product_search(business=shop, query="oil mus 1l")
    assert result.best == oil
    assert result.matches[0].matched_on == "OIL-MUS-1L"
    assert result.matches[0].score == 100


def test_two_products_sharing_a_word_are_ambiguous(shop):
    make_product(shop, "Mustard Oil 1L", unit="l")
    make_product(shop, "Mustard Oil 5L", unit="l")
    result = product_search(business=shop, query="mustard oil")
    assert len(result.matches) == 2
    assert result.ambiguous is True and result.best is None


def test_inactive_products_and_other_shops_are_not_searched(shop, other_shop):
    # given an inactive product here and a matching product in another shop
    old = make_product(shop, "Sugar")
    product_update(business=shop, product_id=old.pk, is_active=False)
    make_product(other_shop, "Sugar")
    # then our search finds nothing
    assert product_search(business=shop, query="sugar").matches == []


def test_a_different_word_does_not_match(shop):
    make_product(shop, "Sugar")
    assert product_search(business=shop, query="ghee").matches == []
    assert product_search(business=shop, query="").matches == []
