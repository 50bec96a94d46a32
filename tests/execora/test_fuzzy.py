from execora import fuzzy
from execora.text import phonetic_key

RAMESHES = [(1, ["Ramesh Kumar"]), (2, ["Ramesh Yadav"]), (3, ["Suresh Patel"])]


def _score(query: str, name: str) -> float:
    return fuzzy.score_keys(phonetic_key(query), phonetic_key(name))


def test_exact_reordered_subset_and_superset_scores_are_ordered():
    # when scored / then exact > reordered > every word contained > name inside a longer query
    assert _score("Ramesh Kumar", "Ramesh Kumar") == 100
    assert _score("Kumar Ramesh", "Ramesh Kumar") == 98
    assert _score("Rameshkumar", "Ramesh Kumar") == 98
    assert _score("Ramesh", "Ramesh Kumar") == 90
    assert _score("Sharma", "Rakesh Sharma") == 90
    assert _score("Ramesh Yadav", "Ramesh") == 75


def test_a_dropped_letter_is_confident_but_a_different_letter_is_not():
    # "Rmesh" is a typo of Ramesh; "Rakesh" is usually another person
    assert _score("Rmesh", "Ramesh") >= fuzzy.CONFIDENT_SCORE
    assert fuzzy.MIN_SCORE <= _score("Rakesh", "Ramesh") < fuzzy.CONFIDENT_SCORE
    assert _score("Suresh", "Ramesh") < fuzzy.MIN_SCORE
    assert _score("Mahesh", "Ramesh") < fuzzy.MIN_SCORE


def test_a_prefix_is_offered_but_never_picked():
    assert fuzzy.MIN_SCORE <= _score("Ram", "Ramesh") < fuzzy.CONFIDENT_SCORE
    assert _score("Rames", "Ramesh") > _score("Ram", "Ramesh")


def test_one_first_name_shared_by_two_candidates_is_ambiguous():
    # given two Rameshes / when "Ramesh" is asked for
    ranking = fuzzy.rank("Ramesh", RAMESHES)
    # then both are offered, tied, and none is picked
    assert [m.id for m in ranking.matches] == [1, 2]
    assert ranking.matches[0].score == ranking.matches[1].score == 90
    assert ranking.ambiguous is True
    assert ranking.best is None


def test_a_full_name_picks_one_of_two_namesakes():
    ranking = fuzzy.rank("Ramesh Yadav", RAMESHES)
    assert ranking.best is not None and ranking.best.id == 2
    assert ranking.best.score == 100
    assert ranking.ambiguous is False


def test_an_exact_name_beats_a_name_that_only_contains_it():
    ranking = fuzzy.rank("Ramesh", [(1, ["Ramesh Kumar"]), (2, ["Ramesh"])])
    assert ranking.best is not None and ranking.best.id == 2
    assert ranking.ambiguous is False


def test_a_typo_shared_by_two_namesakes_is_ambiguous():
    ranking = fuzzy.rank("Rmesh", RAMESHES)
    assert {m.id for m in ranking.matches} == {1, 2}
    assert ranking.ambiguous is True and ranking.best is None


def test_a_weak_match_is_offered_without_being_picked_or_ambiguous():
    ranking = fuzzy.rank("Rakesh", [(1, ["Ramesh"])])
    assert [m.id for m in ranking.matches] == [1]
    assert ranking.best is None
    assert ranking.ambiguous is False


def test_below_threshold_returns_nothing():
    ranking = fuzzy.rank("Dinesh", RAMESHES)
    assert ranking == fuzzy.NO_MATCH


def test_an_alias_matches_and_says_which_key_matched():
    ranking = fuzzy.rank("Pappu", [(1, ["Ramesh Kumar"]), (2, ["Prakash Gupta", "Pappu"])])
    assert ranking.best is not None and ranking.best.id == 2
    assert ranking.best.key_index == 1


def test_several_query_forms_count_their_best():
    # given the raw and the honorific-free form of a query
    ranking = fuzzy.rank(["Sharma ji", "Sharma"], [(1, ["Rakesh Sharma"])])
    # then the better form decides
    assert ranking.best is not None and ranking.best.score == 90


def test_limit_cuts_matches_but_not_the_ambiguity_decision():
    candidates = [(n, [f"Ramesh {surname}"]) for n, surname in enumerate(["Kumar", "Yadav"])]
    ranking = fuzzy.rank("Ramesh", candidates, limit=1)
    assert len(ranking.matches) == 1
    assert ranking.ambiguous is True


def test_the_index_finds_what_scoring_everything_would_find():
    # given many names / when ranked through the word index
    names = [
        f"{first} {last}"
        for first in ("Ramesh", "Suresh", "Rakesh", "Mahesh", "Ram")
        for last in ("Kumar", "Yadav", "Sharma", "Gupta")
    ]
    candidates = [(i, [phonetic_key(name)]) for i, name in enumerate(names)]
    index = fuzzy.KeyIndex(candidates)
    for query in ("Rmesh", "Ram", "Sharma", "Ramesh Yadv", "Rameshkumar", "Gupt"):
        key = phonetic_key(query)
        ranked = {m.id: m.score for m in index.rank([key], limit=None).matches}
        # then it equals scoring every candidate by brute force
        brute = {
            i: fuzzy.score_keys(key, keys[0])
            for i, keys in candidates
            if fuzzy.score_keys(key, keys[0]) >= fuzzy.MIN_SCORE
        }
        assert ranked == brute, query
