"""The verifiable draw (app/lottery/draw.py) on hand-made cases, its published hashes, validation and random draws."""

from __future__ import annotations

import hashlib
import random

import pytest

from app.lottery.draw import (
    DrawError,
    Entry,
    commitment,
    digest,
    draw_order,
    new_ref,
    new_secret,
    run_draw,
    seed,
)

SECRET = "0f" * 32
REFS = ["a1", "b2", "c3", "d4", "e5"]


def ranked(refs=REFS, secret=SECRET):
    """The refs in the order this secret draws them: cases are written against it, whatever the hashes say."""
    return draw_order(seed(secret, digest(refs)), refs)


def outcome(record) -> dict[str, tuple]:
    return {r.ref: (r.won_slot_id, dict(r.reserve)) for r in record.results}


def test_published_values_are_the_plain_sha256_of_the_documented_strings():
    sha = lambda text: hashlib.sha256(text.encode()).hexdigest()  # noqa: E731
    record = run_draw(SECRET, [Entry(ref, (1,), 1) for ref in REFS], {1: 2})
    assert record.commitment == commitment(SECRET) == sha(SECRET)
    assert record.digest == sha("a1\nb2\nc3\nd4\ne5")
    assert record.seed == sha(f"{SECRET}:{record.digest}")
    assert list(record.order) == sorted(REFS, key=lambda ref: sha(f"{record.seed}:{ref}"))
    assert [r.ref for r in record.results] == list(record.order)


def test_ranked_fallback_then_reserve_on_every_choice():
    first, second, third, *_ = ranked(REFS[:3])
    entries = [Entry(ref, (1, 2), 1) for ref in (first, second, third)]
    record = run_draw(SECRET, entries, {1: 1, 2: 1})
    assert outcome(record) == {first: (1, {}), second: (2, {}), third: (None, {1: 1, 2: 1})}
    assert record.to_json()["results"][2] == {"ref": third, "won_slot_id": None, "reserve": {"1": 1, "2": 1}}


def test_places_must_fit_and_a_smaller_family_later_in_the_order_takes_what_is_left():
    first, second, third, fourth = ranked(REFS[:4])
    entries = [Entry(first, (1,), 2), Entry(second, (1, 2), 2), Entry(third, (1,), 1), Entry(fourth, (2,), 1)]
    record = run_draw(SECRET, entries, {1: 3, 2: 1})
    # first takes 2 of 3; second needs 2: not in 1 (1 left), not in 2 (1 place); third fits exactly; fourth fits 2.
    assert outcome(record) == {first: (1, {}), second: (None, {1: 1, 2: 1}), third: (1, {}), fourth: (2, {})}


def test_reserve_lists_are_per_session_in_draw_order():
    order = ranked()
    choices = {order[0]: (9,), order[1]: (1, 2), order[2]: (2,), order[3]: (2, 1), order[4]: (1,)}
    record = run_draw(SECRET, [Entry(ref, slots, 1) for ref, slots in choices.items()], {1: 0, 2: 0, 9: 1})
    assert outcome(record) == {
        order[0]: (9, {}),
        order[1]: (None, {1: 1, 2: 1}),
        order[2]: (None, {2: 2}),
        order[3]: (None, {2: 3, 1: 2}),
        order[4]: (None, {1: 3}),
    }
    assert list(record.to_json()["results"][3]["reserve"]) == ["2", "1"]  # the entry's own ranking


def test_a_household_wins_at_most_one_place_even_with_room_everywhere():
    record = run_draw(SECRET, [Entry("a1", (3, 1, 2), 1)], {1: 10, 2: 10, 3: 10})
    assert outcome(record) == {"a1": (3, {})}


def test_the_record_holds_everything_needed_to_recompute():
    entries = [Entry("b2", [2, 1], 2), Entry("a1", (1,), 1)]
    body = run_draw(SECRET, entries, {2: 1, 1: 4}).to_json()
    assert set(body) == {"secret", "commitment", "digest", "seed", "entries", "capacities", "order", "results"}
    assert body["entries"] == [
        {"ref": "a1", "slot_ids": [1], "places": 1},
        {"ref": "b2", "slot_ids": [2, 1], "places": 2},
    ]
    assert body["capacities"] == {"1": 4, "2": 1}


def test_same_secret_and_entries_give_the_same_draw_in_any_input_order():
    entries = [Entry(ref, (1, 2), 1 + i % 2) for i, ref in enumerate(REFS)]
    one = run_draw(SECRET, entries, {1: 2, 2: 2})
    assert run_draw(SECRET, list(reversed(entries)), {2: 2, 1: 2}) == one
    other = run_draw("1e" * 32, entries, {1: 2, 2: 2})
    assert other.seed != one.seed and other.commitment != one.commitment


def test_any_change_to_the_entry_set_changes_the_digest():
    base = digest(REFS)
    assert digest(reversed(REFS)) == base
    changed = [REFS[:-1], REFS + ["f6"], ["a0"] + REFS[1:], REFS + ["a1"], [*REFS[:2], "b2c3", *REFS[4:]], []]
    digests = {digest(refs) for refs in changed}
    assert base not in digests and len(digests) == len(changed)


def test_new_secret_and_ref_are_fresh_lowercase_hex():
    secrets_ = {new_secret() for _ in range(20)}
    assert len(secrets_) == 20 and all(len(s) == 64 and int(s, 16) >= 0 and s == s.lower() for s in secrets_)
    refs = {new_ref() for _ in range(20)}
    assert len(refs) == 20 and all(len(r) == 16 and int(r, 16) >= 0 and r == r.lower() for r in refs)


@pytest.mark.parametrize(
    "secret, entries, capacities, code",
    [
        ("ab", [Entry("a1", (1,), 1)], {1: 1}, "invalid_secret"),
        ("AB" * 32, [Entry("a1", (1,), 1)], {1: 1}, "invalid_secret"),
        (SECRET, [Entry("a1", (1,), 1), Entry("a1", (1,), 2)], {1: 1}, "duplicate_ref"),
        (SECRET, [Entry("a 1", (1,), 1)], {1: 1}, "invalid_ref"),
        (SECRET, [Entry("a1\nb2", (1,), 1)], {1: 1}, "invalid_ref"),
        (SECRET, [Entry("", (1,), 1)], {1: 1}, "invalid_ref"),
        (SECRET, [Entry("a1", (), 1)], {1: 1}, "too_many_choices"),
        (SECRET, [Entry("a1", (1, 2, 3, 4), 1)], {1: 1, 2: 1, 3: 1, 4: 1}, "too_many_choices"),
        (SECRET, [Entry("a1", (1, 2, 1), 1)], {1: 1, 2: 1}, "duplicate_choice"),
        (SECRET, [Entry("a1", (1, 5), 1)], {1: 1}, "unknown_slot"),
        (SECRET, [Entry("a1", ([1],), 1)], {1: 1}, "unknown_slot"),
        (SECRET, [Entry("a1", (1,), 0)], {1: 1}, "invalid_places"),
        (SECRET, [Entry("a1", (1,), True)], {1: 1}, "invalid_places"),
        (SECRET, [Entry("a1", (1,), 1)], {1: -1}, "invalid_capacity"),
        (SECRET, [Entry("a1", (1,), 1)], {"1": 1}, "invalid_capacity"),
    ],
)
def test_input_the_algorithm_does_not_define_is_refused(secret, entries, capacities, code):
    with pytest.raises(DrawError) as caught:
        run_draw(secret, entries, capacities)
    assert caught.value.code == code and caught.value.status == 422 and caught.value.message


def test_an_error_names_the_entry_at_fault():
    with pytest.raises(DrawError, match="c3"):
        run_draw(SECRET, [Entry("a1", (1,), 1), Entry("c3", (1, 1), 1)], {1: 1})


def test_random_draws_never_overfill_a_session_and_keep_reserves_in_draw_order():
    rng = random.Random(12)
    for _ in range(300):
        slots = list(range(1, rng.randint(1, 8) + 1))
        capacities = {slot: rng.randint(0, 6) for slot in slots}
        entries = [
            Entry(f"{n:04x}", tuple(rng.sample(slots, rng.randint(1, min(3, len(slots))))), rng.randint(1, 3))
            for n in rng.sample(range(65536), rng.randint(0, 30))
        ]
        record = run_draw(new_secret(), entries, capacities)
        by_ref = {entry.ref: entry for entry in entries}
        rank = {ref: i for i, ref in enumerate(record.order)}
        assert sorted(record.order) == sorted(by_ref) and [r.ref for r in record.results] == list(record.order)

        taken = dict.fromkeys(slots, 0)
        reserves: dict[int, list[tuple[int, str]]] = {slot: [] for slot in slots}
        for result in record.results:
            entry = by_ref[result.ref]
            if result.won_slot_id is not None:
                assert result.won_slot_id in entry.slot_ids and result.reserve == ()
                taken[result.won_slot_id] += entry.places
            else:
                assert [slot for slot, _ in result.reserve] == list(entry.slot_ids)
                for slot, position in result.reserve:
                    reserves[slot].append((position, result.ref))
        assert all(taken[slot] <= capacities[slot] for slot in slots)
        for listed in reserves.values():
            assert [p for p, _ in sorted(listed)] == list(range(1, len(listed) + 1))
            assert [rank[ref] for _, ref in sorted(listed)] == sorted(rank[ref] for _, ref in listed)
