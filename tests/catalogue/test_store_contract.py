"""The store contract, run against both backends (SQLite, and MongoDB via DocumentDB).

Every expected answer comes from the hand-made sample catalogue in ``sample.py``.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from beamhub.catalogue import (
    Conflict,
    IllegalTransition,
    Identity,
    InvalidInput,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    SearchQuery,
    SelectionChanges,
    StatusChange,
)

from .sample import (
    ALICE,
    BOB,
    CAROL,
    COLLAB,
    DATASETS,
    DAVE,
    ERIN,
    IDENTITIES,
    OPERATOR,
    VISIBLE,
    numbers,
    pid,
)


def search(store, identity, **query):
    return store.search(identity, SearchQuery.parse(query))


def all_pages(store, identity, cursor=None, **query):
    """Every item of a search from ``cursor`` on, following cursors; fails on a repeated pid."""
    seen = []
    while True:
        page = search(store, identity, **query, cursor=cursor)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    pids = [d.pid for d in seen]
    assert len(pids) == len(set(pids)), "a page repeated a dataset"
    return seen


def facet(page, name) -> dict:
    return {entry.value: entry.count for entry in page.facets[name]}


# --- visibility ------------------------------------------------------------------


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i.user)
def test_each_identity_sees_exactly_its_datasets(sample_store, identity):
    page = search(sample_store, identity, limit=200)
    assert numbers(page.items) == VISIBLE[identity.user]
    assert page.total == len(VISIBLE[identity.user])
    # facet counts never count what the identity cannot see
    assert sum(facet(page, "type").values()) == len(VISIBLE[identity.user])


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i.user)
def test_get_dataset_hides_what_is_not_visible(sample_store, identity):
    for n in range(1, 15):
        if n in VISIBLE[identity.user]:
            assert sample_store.get_dataset(identity, pid(n)).pid == pid(n)
        else:
            with pytest.raises(NotFound):
                sample_store.get_dataset(identity, pid(n))


def test_missing_dataset_is_not_found(sample_store):
    with pytest.raises(NotFound):
        sample_store.get_dataset(OPERATOR, pid(99))


def test_get_datasets_keeps_order_and_drops_invisible(sample_store):
    got = sample_store.get_datasets(BOB, [pid(7), pid(1), pid(6), pid(99)])
    assert [d.pid for d in got] == [pid(7), pid(6)]


def test_facet_counts_only_cover_visible_data(sample_store):
    page = search(sample_store, CAROL)
    assert facet(page, "beamline") == {"i03": 6, "i13": 1}
    assert facet(page, "proposal") == {"p1001": 5, "p4001": 1, "p3001": 1}
    page = search(sample_store, DAVE)
    assert facet(page, "proposal") == {"p3001": 1}


def test_a_dataset_round_trips_unchanged(sample_store):
    original = DATASETS[0]
    got = sample_store.get_dataset(ALICE, original.pid)
    mine = got.model_dump(exclude={"createdAt", "updatedAt", "myVote", "likes", "dislikes"})
    assert mine == original.model_dump(exclude={"createdAt", "updatedAt", "myVote", "likes", "dislikes"})
    assert got.creationTime == datetime(2024, 3, 1, 10, tzinfo=timezone.utc)


# --- free text -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("lysozyme", {1, 2, 5}),
        ("LYSOZYME 001", {1, 5}),              # all words must match
        ("lyso", {1, 2, 5}),                   # the last word is a prefix while typing
        ("lyso ", {1}),                        # ...but not once a space follows (d01's sampleId is "lyso-a")
        ("muller", {4}),                       # accents folded
        ("Müller", {4}),
        ("frozen", {1, 3}),                    # scientific-metadata string values
        ("sample_state", {1, 2, 3}),           # scientific-metadata names
        ("native", {1}),                       # keywords
        ("integrated intensities", {5}),       # descriptions
        ("bsa protein", {6, 7}),
        ("nothing-like-this", set()),
        ("catalyst", set()),                   # alice cannot see erin's secret catalyst
    ],
)
def test_free_text(sample_store, text, expected):
    assert numbers(search(sample_store, ALICE, text=text, limit=200).items) == expected


@pytest.mark.parametrize("text, expected", [
    ('{"$gt": ""}', set()),            # the word "gt"
    ("$where", set()),
    ("'; DROP TABLE x; --", set()),
    ("(((((lyso*)*)*)*)*)", {1, 2, 5}), # a regular-expression bomb is just the word "lyso"
    ("lysozyme|thaumatin", set()),      # no alternation: both words must match
    (".*", set()),                      # no words at all: nothing can match it (never everything)
    ("\\", set()),
    ("*", set()),
    ("lysozyme *", set()),              # one unmatchable term empties the answer
])
def test_free_text_with_operator_characters_is_just_text(sample_store, text, expected):
    page = search(sample_store, ALICE, text=text, limit=200)
    assert numbers(page.items) == (VISIBLE["alice"] if expected is None else expected)


def test_relevance_sort_returns_the_same_matches(sample_store):
    by_date = search(sample_store, ALICE, text="lysozyme", limit=200)
    by_relevance = search(sample_store, ALICE, text="lysozyme", sort="relevance", limit=200)
    assert numbers(by_relevance.items) == numbers(by_date.items)


# --- proposal titles: a word also finds the datasets of the proposals titled with it --


@pytest.mark.parametrize("identity, text, expected", [
    (ALICE, "soaking", {1, 2, 3, 4, 5}),      # p1001 "Enzyme soaking series": no dataset says "soaking"
    (ALICE, "soak", {1, 2, 3, 4, 5}),         # the last word as a prefix while typing
    (ALICE, "SOAKING ", {1, 2, 3, 4, 5}),     # a whole word, folded like the datasets' words
    (ALICE, "soaking thaumatin", {3}),        # with the datasets' own words: every word must match
    (ALICE, "enzyme protein", set()),         # words of two proposals' titles: no dataset is in both
    (ALICE, "solutions buffer", {8}),         # p1002 "SAXS of protein solutions", d08 says "buffer"
    (ALICE, "solutions nothing-like-this", set()),
    (BOB, "soaking", set()),                  # not his proposal: its title is not his to search
    (CAROL, "soaking", {1, 2, 3, 4, 5}),      # staff of i03 have its proposals
    (ERIN, "catalysts", {9, 10, 11}),         # p2001 "XAS of catalysts"
    (COLLAB, "catalysts", {9, 10, 11}),       # p2001 is shared with collab-x
    (DAVE, "tomography", {12}),               # d12 says it itself; p3001's title is not his
])
def test_proposal_title_words_find_the_proposals_datasets(sample_store, identity, text, expected):
    for sort in ("-creationTime", "relevance", "datasetName"):
        page = search(sample_store, identity, text=text, sort=sort, limit=200)
        assert numbers(page.items) == expected and page.total == len(expected), sort


def test_proposal_title_matches_are_counted_exactly_in_facets(sample_store):
    page = search(sample_store, ALICE, text="soaking", proposal=["p1002"])
    assert page.total == 0
    assert facet(page, "proposal") == {"p1001": 5}  # the proposal facet ignores its own filter
    page = search(sample_store, ALICE, text="soak", beamline=["i03"])
    assert facet(page, "type") == {"raw": 4, "derived": 1} and facet(page, "beamline") == {"i03": 5}
    page = search(sample_store, ALICE, text="protein")  # p1002's title, and d06, d07's keywords
    assert numbers(page.items) == {6, 7, 8} and facet(page, "proposal") == {"p1002": 3}
    # relevance pages: the titled matches page like any (all_pages fails on a repeat)
    assert numbers(all_pages(sample_store, ALICE, text="soak", sort="relevance", limit=2)) == {1, 2, 3, 4, 5}


def test_a_changed_title_is_searched_at_once_and_no_dataset_is_rewritten(sample_store):
    from .sample import PROPOSALS

    before = {d.pid: d.updatedAt for d in sample_store.get_datasets(OPERATOR, [pid(n) for n in (6, 7, 8)])}
    sample_store.upsert_proposals(OPERATOR, [PROPOSALS[1].model_copy(update={"title": "Micelle kinetics"})])
    assert numbers(search(sample_store, ALICE, text="micelle").items) == {6, 7, 8}
    assert numbers(search(sample_store, ALICE, text="solutions").items) == set()
    assert numbers(search(sample_store, ALICE, text="protein").items) == {6, 7}  # their own keywords
    after = {d.pid: d.updatedAt for d in sample_store.get_datasets(OPERATOR, list(before))}
    assert after == before


# --- filters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"beamline": ["i22"]}, {6, 7, 8}),
        ({"beamline": ["i22", "i13"]}, {6, 7, 8, 12}),
        ({"proposal": ["p1001"]}, {1, 2, 3, 4, 5}),
        ({"technique": ["SAXS"]}, {6, 7, 8}),
        ({"type": ["derived"]}, {5}),
        ({"year": [2025]}, {4, 5}),
        ({"year": [2022, 2025]}, {4, 5, 12}),
        ({"keyword": ["bone"]}, {12}),
        ({"keyword": ["lysozyme", "bsa"]}, {1, 2, 6, 7}),
        ({"created_after": "2024-03-01T11:00:00Z", "created_before": "2024-06-10T12:00:00Z"}, {2, 3, 6}),
        ({"beamline": ["i03"], "text": "lysozyme", "type": ["raw"]}, {1, 2}),
    ],
)
def test_filters(sample_store, query, expected):
    assert numbers(search(sample_store, ALICE, limit=200, **query).items) == expected


@pytest.mark.parametrize(
    "condition, expected",
    [
        ("temperature < 200 K", {1, 3, 4}),
        ("temperature <= 100 K", {1, 3, 4}),
        ("temperature > 200 K", {2, 6, 7}),
        ("temperature = 20 degC", {2, 6, 7}),       # 293.15 K == 20 degC
        ("temperature >= -200 degC", {1, 2, 3, 4, 6, 7}),
        ("temperature != 100 K", {2, 6, 7}),        # only datasets that have a temperature
        ("concentration >= 5 mg/mL", {6, 7}),
        ("concentration > 0.004 g/mL", {6, 7}),     # 10 mg/mL = 0.01 g/mL
        ("sample_state = 'frozen'", {1, 3}),
        ("sample_state = 'FROZEN'", {1, 3}),         # strings compare case-insensitively
        ("sample_state != frozen", {2}),
        ("exposure_time < 20 ms", {1}),
        ("temperature < 200", {1, 3, 4, 6, 7}),      # no unit: the raw stored numbers, any unit
    ],
)
def test_metadata_conditions(sample_store, condition, expected):
    page = search(sample_store, ALICE, conditions=[condition_dict(condition)], limit=200)
    assert numbers(page.items) == expected


def test_metadata_conditions_across_units_for_energy(sample_store):
    page = search(sample_store, ERIN, conditions=[condition_dict("energy = 8.979 keV")])
    assert numbers(page.items) == {9, 10}


def test_several_conditions_all_hold(sample_store):
    conditions = [condition_dict("temperature < 200 K"), condition_dict("sample_state = frozen")]
    assert numbers(search(sample_store, ALICE, conditions=conditions).items) == {1, 3}


def condition_dict(text):
    from beamhub.catalogue import MetadataCondition

    return MetadataCondition.from_text(text).model_dump()


def test_my_vote_filter(sample_store):
    sample_store.set_vote(ALICE, pid(1), "like")
    sample_store.set_vote(ALICE, pid(6), "dislike")
    sample_store.set_vote(BOB, pid(7), "like")
    assert numbers(search(sample_store, ALICE, my_vote="like").items) == {1}
    assert numbers(search(sample_store, ALICE, my_vote="dislike").items) == {6}
    assert numbers(search(sample_store, ALICE, my_vote="any").items) == {1, 6}
    assert numbers(search(sample_store, ALICE, my_vote="none", limit=200).items) == VISIBLE["alice"] - {1, 6}


# --- facets ----------------------------------------------------------------------


def test_facets_are_disjunctive(sample_store):
    page = search(sample_store, ALICE, beamline=["i22"])
    assert page.total == 3
    # the beamline facet ignores its own filter, so other beamlines stay choosable
    assert facet(page, "beamline") == {"i03": 5, "i22": 3, "i13": 1}
    # the other facets are narrowed by the beamline filter
    assert facet(page, "technique") == {"SAXS": 3}
    assert facet(page, "year") == {2024: 3}
    assert facet(page, "type") == {"raw": 3}


def test_facets_for_multi_valued_techniques(sample_store):
    page = search(sample_store, CAROL)
    assert facet(page, "technique") == {"MX": 6, "SAXS": 1, "tomography": 1}


def test_facets_follow_free_text_and_conditions(sample_store):
    page = search(sample_store, ALICE, text="lysozyme", conditions=[condition_dict("temperature < 200 K")])
    assert numbers(page.items) == {1}
    assert facet(page, "proposal") == {"p1001": 1}


def test_facets_can_be_left_out(sample_store):
    assert search(sample_store, ALICE, facets=False).facets == {}


# --- sorting and pagination -----------------------------------------------------


@pytest.mark.parametrize("sort", ["-creationTime", "creationTime", "datasetName", "-datasetName", "size", "-size"])
def test_pages_follow_the_sort_without_gaps_or_repeats(sample_store, sort):
    items = all_pages(sample_store, ALICE, sort=sort, limit=2)
    assert numbers(items) == VISIBLE["alice"]
    field = sort.lstrip("-")
    keys = [getattr(d, field) for d in items]
    if field == "datasetName":
        keys = [k.lower() for k in keys]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


def test_pagination_by_likes(sample_store):
    sample_store.set_vote(ALICE, pid(3), "like")
    sample_store.set_vote(BOB, pid(6), "like")
    sample_store.set_vote(ALICE, pid(6), "like")
    items = all_pages(sample_store, ALICE, sort="-likes", limit=2)
    assert [d.pid for d in items[:2]] == [pid(6), pid(3)]
    assert numbers(items) == VISIBLE["alice"]


def test_relevance_pages(sample_store):
    items = all_pages(sample_store, ALICE, text="lysozyme", sort="relevance", limit=1)
    assert numbers(items) == {1, 2, 5}


def test_pagination_is_stable_when_datasets_arrive(sample_store):
    first = search(sample_store, ALICE, limit=3)
    newer = DATASETS[0].model_copy(update={"pid": pid(50), "creationTime": datetime(2030, 1, 1, tzinfo=timezone.utc)})
    sample_store.upsert_datasets(OPERATOR, [newer])
    rest = all_pages(sample_store, ALICE, limit=3, cursor=first.next_cursor)
    got = [d.pid for d in first.items] + [d.pid for d in rest]
    assert len(got) == len(set(got)) == len(VISIBLE["alice"])


def test_cursor_cannot_be_reused_for_another_search(sample_store):
    page = search(sample_store, ALICE, limit=2)
    with pytest.raises(InvalidInput):
        search(sample_store, ALICE, limit=2, cursor=page.next_cursor, beamline=["i03"])
    with pytest.raises(InvalidInput):
        search(sample_store, ALICE, cursor="not-a-cursor")


def test_last_page_has_no_cursor(sample_store):
    page = search(sample_store, BOB, limit=4)
    assert len(page.items) == 4 and page.next_cursor is None


# --- votes -----------------------------------------------------------------------


def test_votes_set_change_and_clear(sample_store):
    state = sample_store.set_vote(ALICE, pid(1), "like")
    assert (state.likes, state.dislikes, state.myVote) == (1, 0, "like")
    state = sample_store.set_vote(ALICE, pid(1), "like")          # idempotent
    assert (state.likes, state.dislikes) == (1, 0)
    state = sample_store.set_vote(CAROL, pid(1), "dislike", comment="ice rings")
    assert (state.likes, state.dislikes, state.myVote) == (1, 1, "dislike")
    state = sample_store.set_vote(ALICE, pid(1), "dislike")
    assert (state.likes, state.dislikes) == (0, 2)
    state = sample_store.set_vote(ALICE, pid(1), None)
    assert (state.likes, state.dislikes, state.myVote) == (0, 1, None)
    state = sample_store.set_vote(ALICE, pid(1), None)            # clearing twice is fine
    assert (state.likes, state.dislikes) == (0, 1)
    dataset = sample_store.get_dataset(CAROL, pid(1))
    assert (dataset.likes, dataset.dislikes, dataset.myVote) == (0, 1, "dislike")
    assert sample_store.get_dataset(ALICE, pid(1)).myVote is None


def test_votes_show_in_search_results(sample_store):
    sample_store.set_vote(BOB, pid(6), "like")
    sample_store.set_vote(ALICE, pid(6), "dislike")
    items = {d.pid: d for d in search(sample_store, BOB, limit=200).items}
    assert (items[pid(6)].likes, items[pid(6)].dislikes, items[pid(6)].myVote) == (1, 1, "like")
    assert items[pid(7)].myVote is None


def test_a_voters_own_comment_comes_back_to_them_alone(sample_store):
    state = sample_store.set_vote(BOB, pid(6), "dislike", comment="ice rings from frame 40")
    assert (state.myVote, state.myComment) == ("dislike", "ice rings from frame 40")
    sample_store.set_vote(ALICE, pid(6), "like")
    assert sample_store.get_dataset(BOB, pid(6)).myComment == "ice rings from frame 40"
    items = {d.pid: d for d in search(sample_store, BOB, limit=200).items}
    assert items[pid(6)].myComment == "ice rings from frame 40" and items[pid(7)].myComment == ""
    theirs = {d.pid: d for d in search(sample_store, ALICE, limit=200).items}
    assert (theirs[pid(6)].myVote, theirs[pid(6)].myComment) == ("like", "")  # not bob's
    assert "ice rings" not in sample_store.get_dataset(OPERATOR, pid(6)).model_dump_json()
    assert sample_store.set_vote(BOB, pid(6), "dislike", comment="").myComment == ""  # replaced
    assert sample_store.get_dataset(BOB, pid(6)).myComment == ""
    sample_store.set_vote(BOB, pid(6), "like", comment="sharp after all")
    assert sample_store.set_vote(BOB, pid(6), None).myComment == ""  # cleared with the vote
    assert (sample_store.get_dataset(BOB, pid(6)).myVote, sample_store.get_dataset(BOB, pid(6)).myComment) == (None, "")


def test_cannot_vote_on_invisible_or_missing_datasets(sample_store):
    with pytest.raises(NotFound):
        sample_store.set_vote(BOB, pid(1), "like")
    with pytest.raises(NotFound):
        sample_store.set_vote(BOB, pid(99), "like")
    with pytest.raises(InvalidInput):
        sample_store.set_vote(BOB, pid(6), "love")
    assert sample_store.get_dataset(OPERATOR, pid(1)).likes == 0


def test_my_votes(sample_store):
    sample_store.set_vote(ALICE, pid(1), "like")
    sample_store.set_vote(ALICE, pid(6), "dislike", comment="bubbles")
    sample_store.set_vote(BOB, pid(6), "like")
    votes = sample_store.my_votes(ALICE)
    assert [(v.pid, v.value) for v in votes] == [(pid(6), "dislike"), (pid(1), "like")]
    assert votes[0].comment == "bubbles" and votes[0].user == "alice"


def test_votes_for_dataset_are_for_beamline_staff(sample_store):
    sample_store.set_vote(ALICE, pid(1), "like")
    sample_store.set_vote(CAROL, pid(1), "dislike")
    assert {(v.user, v.value) for v in sample_store.votes_for_dataset(CAROL, pid(1))} == {
        ("alice", "like"), ("carol", "dislike")}
    with pytest.raises(PermissionDenied):
        sample_store.votes_for_dataset(ALICE, pid(1))
    with pytest.raises(NotFound):
        sample_store.votes_for_dataset(BOB, pid(1))


def test_reingesting_keeps_vote_counts(sample_store):
    sample_store.set_vote(ALICE, pid(1), "like")
    summary = sample_store.upsert_datasets(OPERATOR, DATASETS)
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 0, len(DATASETS))
    changed = DATASETS[0].model_copy(update={"description": "re-processed"})
    summary = sample_store.upsert_datasets(OPERATOR, [changed])
    assert (summary.inserted, summary.updated) == (0, 1)
    got = sample_store.get_dataset(ALICE, pid(1))
    assert got.description == "re-processed" and got.likes == 1 and got.myVote == "like"


def test_concurrent_voters_keep_exact_counts(store_factory, backend):
    """60 voters race on the same 4 datasets, each flipping its vote many times, through
    separate store connections; the final counts equal the final votes."""
    from .sample import load_sample

    first = store_factory(backend)
    stores = [first] + [type(first)(first.url) for _ in range(3)]  # four connections
    load_sample(first)
    targets = [pid(6), pid(7), pid(8), pid(12)]
    voters = [Identity(f"voter{i:02d}", groups=frozenset({"p1002"})) for i in range(60)]
    final: dict[tuple[str, str], str | None] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(len(voters))

    def run(index: int):
        voter = voters[index]
        store = stores[index % len(stores)]
        barrier.wait()
        sequence = ["like", "dislike", None, "like", "dislike", "like"]
        for step in range(len(sequence)):
            for target in targets:
                value = sequence[(step + index) % len(sequence)]
                store.set_vote(voter, target, value)
                with lock:
                    final[(voter.user, target)] = value

    with ThreadPoolExecutor(len(voters)) as pool:
        list(pool.map(run, range(len(voters))))
    for target in targets:
        dataset = stores[0].get_dataset(OPERATOR, target)
        likes = sum(1 for (u, p), v in final.items() if p == target and v == "like")
        dislikes = sum(1 for (u, p), v in final.items() if p == target and v == "dislike")
        assert (dataset.likes, dataset.dislikes) == (likes, dislikes), target
        votes = stores[0].votes_for_dataset(OPERATOR, target)
        assert sum(v.value == "like" for v in votes) == likes
    for extra in stores[1:]:
        extra.close()


# --- selections (the fog filter) ------------------------------------------------


def test_selection_lifecycle(sample_store):
    sel = sample_store.create_selection(ALICE, "good lysozyme", [pid(1), pid(2)], "frame-score", {"threshold": 0.5})
    assert (sel.status, sel.owner, sel.datasets, sel.version) == ("draft", "alice", [pid(1), pid(2)], 1)
    sel = sample_store.update_selection(ALICE, sel.id, SelectionChanges(
        name="best lysozyme", add=[pid(3), pid(1)], remove=[pid(2)], parameters={"threshold": 0.7}))
    assert (sel.name, sel.datasets, sel.parameters, sel.version) == (
        "best lysozyme", [pid(1), pid(3)], {"threshold": 0.7}, 2)
    sel = sample_store.change_selection_status(ALICE, sel.id, StatusChange("submitted", job_id="42",
                                                                          log_path="/tmp/job-42.log"))
    assert sel.status == "submitted" and sel.jobId == "42" and sel.submittedAt is not None
    with pytest.raises(Conflict):
        sample_store.update_selection(ALICE, sel.id, SelectionChanges(name="too late"))
    with pytest.raises(Conflict):
        sample_store.delete_selection(ALICE, sel.id)
    sel = sample_store.change_selection_status(OPERATOR, sel.id, StatusChange("running"))
    sel = sample_store.change_selection_status(OPERATOR, sel.id, StatusChange("done", derived_datasets=[pid(5)],
                                                                             message="2 frames scored"))
    assert (sel.status, sel.derivedDatasets, sel.message) == ("done", [pid(5)], "2 frames scored")
    assert sel.finishedAt is not None
    assert sample_store.get_selection(ALICE, sel.id).status == "done"
    sample_store.delete_selection(ALICE, sel.id)
    with pytest.raises(NotFound):
        sample_store.get_selection(ALICE, sel.id)


@pytest.mark.parametrize(
    "path",
    [
        ["running"], ["done"], ["failed"],
        ["submitted", "done"], ["submitted", "submitted"], ["submitted", "draft"],
        ["submitted", "running", "submitted"], ["submitted", "failed", "running"],
        ["submitted", "running", "done", "failed"],
    ],
)
def test_illegal_selection_transitions_are_refused(sample_store, path):
    sel = sample_store.create_selection(ALICE, "s", [pid(1)])
    *legal, illegal = path
    for status in legal:
        sample_store.change_selection_status(ALICE, sel.id, StatusChange(status))
    before = sample_store.get_selection(ALICE, sel.id)
    with pytest.raises(IllegalTransition):
        sample_store.change_selection_status(ALICE, sel.id, StatusChange(illegal))
    assert sample_store.get_selection(ALICE, sel.id) == before


def test_selections_only_hold_visible_datasets(sample_store):
    with pytest.raises(InvalidInput) as raised:
        sample_store.create_selection(BOB, "mine", [pid(6), pid(1)])
    assert pid(1) in raised.value.message
    sel = sample_store.create_selection(BOB, "mine", [pid(6)])
    with pytest.raises(InvalidInput):
        sample_store.update_selection(BOB, sel.id, SelectionChanges(add=[pid(9)]))
    with pytest.raises(InvalidInput):
        sample_store.update_selection(BOB, sel.id, SelectionChanges(add=["not a pid"]))
    assert sample_store.get_selection(BOB, sel.id).datasets == [pid(6)]
    assert [s.id for s in sample_store.list_selections(BOB)] == [sel.id]


def test_selections_are_private_to_their_owner(sample_store):
    sel = sample_store.create_selection(ALICE, "alice's", [pid(6)])
    for other in (BOB, CAROL, DAVE):
        with pytest.raises(NotFound):
            sample_store.get_selection(other, sel.id)
        with pytest.raises(NotFound):
            sample_store.update_selection(other, sel.id, SelectionChanges(name="mine now"))
        with pytest.raises(NotFound):
            sample_store.change_selection_status(other, sel.id, StatusChange("submitted"))
        with pytest.raises(NotFound):
            sample_store.delete_selection(other, sel.id)
        assert sample_store.list_selections(other) == []
    assert [s.id for s in sample_store.list_selections(OPERATOR)] == [sel.id]
    assert sample_store.get_selection(ALICE, sel.id).name == "alice's"


def test_selection_version_guards_concurrent_edits(sample_store):
    sel = sample_store.create_selection(ALICE, "s", [pid(1)])
    sample_store.update_selection(ALICE, sel.id, SelectionChanges(name="first", expected_version=1))
    with pytest.raises(Conflict):
        sample_store.update_selection(ALICE, sel.id, SelectionChanges(name="second", expected_version=1))
    assert sample_store.get_selection(ALICE, sel.id).name == "first"


def test_selection_input_is_validated(sample_store):
    with pytest.raises(InvalidInput):
        sample_store.create_selection(ALICE, "", [pid(1)])
    with pytest.raises(InvalidInput):
        sample_store.create_selection(ALICE, "s", [pid(1)], parameters={"$where": "1"})
    with pytest.raises(LimitExceeded):  # the same error on every backend (413, not 400)
        sample_store.create_selection(ALICE, "s", [f"{pid(1)}x{i}" for i in range(1001)])
    with pytest.raises(InvalidInput):
        sample_store.create_selection(ALICE, "s", ["$gt"])
    assert sample_store.list_selections(ALICE) == []


def test_operators_follow_selections_but_never_edit_them(sample_store):
    sel = sample_store.create_selection(ALICE, "alice's", [pid(1)], processing="frame-score")
    assert sample_store.get_selection(OPERATOR, sel.id).name == "alice's"
    assert sel.id in [s.id for s in sample_store.list_selections(OPERATOR)]
    with pytest.raises(NotFound):
        sample_store.update_selection(OPERATOR, sel.id, SelectionChanges(name="renamed"))
    with pytest.raises(NotFound):
        sample_store.delete_selection(OPERATOR, sel.id)
    sample_store.change_selection_status(ALICE, sel.id, StatusChange("submitted", job_id="1"))
    assert sample_store.change_selection_status(OPERATOR, sel.id, StatusChange("running")).status == "running"
    assert sample_store.get_selection(ALICE, sel.id).name == "alice's"


# --- proposals, lineage, stats, operator writes -------------------------------------


@pytest.mark.parametrize(
    "identity, expected",
    [(ALICE, ["p1001", "p1002"]), (BOB, ["p1002"]), (CAROL, ["p1001", "p4001"]), (DAVE, []),
     (ERIN, ["p2001"]), (OPERATOR, ["p1001", "p1002", "p2001", "p3001", "p4001"])],
    ids=lambda v: getattr(v, "user", None),
)
def test_proposals_per_identity(sample_store, identity, expected):
    assert [p.proposalId for p in sample_store.list_proposals(identity)] == expected


def test_get_proposal(sample_store):
    proposal = sample_store.get_proposal(ALICE, "p1001")
    assert (proposal.title, proposal.dataPath, proposal.beamline) == ("Enzyme soaking series", "/data/i03/p1001", "i03")
    with pytest.raises(NotFound):
        sample_store.get_proposal(BOB, "p1001")


def test_lineage_downwards(sample_store):
    assert [d.pid for d in sample_store.derived_from(ALICE, pid(1))] == [pid(5)]
    assert sample_store.derived_from(BOB, pid(1)) == []


def test_stats_are_scoped(sample_store):
    sample_store.set_vote(ALICE, pid(1), "like")
    stats = sample_store.stats(BOB)
    assert stats["datasets"] == 4 and stats["by_beamline"] == {"i22": 3, "i13": 1}
    assert stats["size"] == 1000 * (6 + 7 + 8 + 12)
    stats = sample_store.stats(OPERATOR)
    assert stats["datasets"] == 14 and stats["proposals"] == 5 and stats["votes"] == 1


def test_only_operators_write_datasets(sample_store):
    with pytest.raises(PermissionDenied):
        sample_store.upsert_datasets(ALICE, [DATASETS[0]])
    with pytest.raises(PermissionDenied):
        sample_store.delete_datasets(ALICE, [pid(1)])
    with pytest.raises(PermissionDenied):
        sample_store.upsert_proposals(ALICE, [])


def test_delete_datasets_removes_votes(sample_store):
    sample_store.set_vote(ALICE, pid(1), "like")
    assert sample_store.delete_datasets(OPERATOR, [pid(1), pid(99)]) == 1
    with pytest.raises(NotFound):
        sample_store.get_dataset(OPERATOR, pid(1))
    assert sample_store.my_votes(ALICE) == []


def test_upsert_writes_nothing_when_one_dataset_is_invalid(sample_store):
    new = DATASETS[0].model_copy(update={"pid": pid(60)}).to_stored()
    with pytest.raises(InvalidInput):
        sample_store.upsert_datasets(OPERATOR, [new, {"pid": pid(61), "datasetName": {"$gt": ""}}])
    with pytest.raises(NotFound):
        sample_store.get_dataset(OPERATOR, pid(60))


def test_upsert_accepts_dicts_and_models_alike(sample_store):
    doc = DATASETS[0].model_copy(update={"pid": pid(62)}).to_stored()
    assert sample_store.upsert_datasets(OPERATOR, [doc]).inserted == 1
    assert sample_store.get_dataset(ALICE, pid(62)).datasetName == "lysozyme_001"


def test_ping(sample_store):
    sample_store.ping()



def test_not_equal_only_compares_values_of_the_same_kind(sample_store):
    base = DATASETS[0].to_stored()
    kinds = {70: True, 71: "yes", 72: 5}
    sample_store.upsert_datasets(OPERATOR, [
        {**base, "pid": pid(n), "scientificMetadata": {"flag": {"value": value, "unit": ""}}}
        for n, value in kinds.items()])

    def found(condition):
        return numbers(search(sample_store, ALICE, conditions=[condition_dict(condition)], limit=200).items)

    assert found("flag != 'no'") == {71}       # strings only: not the boolean, not the number
    assert found("flag != false") == {70}      # booleans only
    assert found("flag != true") == set()
    assert found("flag != 4") == {72}          # numbers only
    assert found("flag = 'yes'") == {71}
