"""The weekend lottery's draw, exactly as issue #12 publishes it: pure functions, no database.

Anyone can recompute a draw from its public record without our code (scripts/verify_draw.py does, with only the
standard library), so every step is fixed here and nothing else may change the outcome:

1. before entries open, publish ``commitment = sha256(secret)`` (``secret``: 32 random bytes as 64 hex digits);
2. at the close, publish the refs and ``digest = sha256("\\n".join(sorted(refs)))``;
3. at the draw, ``seed = sha256(secret + ":" + digest)`` and the entries are ordered by ``sha256(seed + ":" + ref)``
   ascending (hex strings, UTF-8, hex digests compared as strings);
4. walking that order, each entry wins the first of its ranked choices that still has at least ``places`` places;
5. entries that win nothing form each chosen session's reserve list, in draw order (positions from 1).

Refs and the secret are lowercase hex, so no ref can contain the newline that joins them in the digest.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.errors import DomainError

MAX_CHOICES = 3
SECRET = re.compile(r"[0-9a-f]{64}")
REF = re.compile(r"[0-9a-f]{1,64}")

# Hold lengths for an offer of a freed place, by how far away the session is (see offer_hold).
HOLD_FAR, HOLD_NEAR, HOLD_LAST = timedelta(hours=12), timedelta(hours=2), timedelta(minutes=30)
FAR, NEAR, OFFERS_STOP = timedelta(hours=48), timedelta(hours=6), timedelta(hours=2)


class DrawError(DomainError):
    """Input the draw refuses: `code` is stable, `message` Korean and names the entry at fault."""

    status = 422


def sha256_hex(text: str) -> str:
    """sha256 of a UTF-8 string, as lowercase hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A weekend's secret: 32 random bytes as 64 lowercase hex digits."""
    return secrets.token_hex(32)


def new_ref() -> str:
    """An entry's public reference: random hex that says nothing about the household."""
    return secrets.token_hex(8)


def commitment(secret: str) -> str:
    """What is published before entries open: sha256 of the secret's hex string."""
    return sha256_hex(secret)


def digest(refs: Iterable[str]) -> str:
    """The entry set, fixed at the close: sha256 of the sorted refs joined by newlines."""
    return sha256_hex("\n".join(sorted(refs)))


def seed(secret: str, entries_digest: str) -> str:
    """The draw's seed: neither side can choose it alone (the secret is committed, the digest published first)."""
    return sha256_hex(f"{secret}:{entries_digest}")


def draw_order(draw_seed: str, refs: Iterable[str]) -> list[str]:
    """Refs in draw order: ascending sha256(seed + ":" + ref)."""
    return sorted(refs, key=lambda ref: sha256_hex(f"{draw_seed}:{ref}"))


@dataclass(frozen=True)
class Entry:
    """One household's entry: its public ref, 1–3 ranked session ids, places = the children it brings."""

    ref: str
    slot_ids: tuple[int, ...]
    places: int

    def __post_init__(self):
        # A list from JSON or a form becomes a tuple, so an entry stays hashable and immutable.
        if isinstance(self.slot_ids, list):
            object.__setattr__(self, "slot_ids", tuple(self.slot_ids))

    def to_json(self) -> dict:
        return {"ref": self.ref, "slot_ids": list(self.slot_ids), "places": self.places}


@dataclass(frozen=True)
class Result:
    """One entry's outcome: the session won, or None and its position on each chosen session's reserve list."""

    ref: str
    won_slot_id: int | None
    reserve: tuple[tuple[int, int], ...] = ()  # (slot_id, position) in the entry's ranked order

    def to_json(self) -> dict:
        return {
            "ref": self.ref,
            "won_slot_id": self.won_slot_id,
            "reserve": {str(slot_id): position for slot_id, position in self.reserve},
        }


@dataclass(frozen=True)
class DrawRecord:
    """Everything needed to recompute a draw; to_json() is the public record (`GET /api/draws` after the draw)."""

    secret: str
    commitment: str
    digest: str
    seed: str
    entries: tuple[Entry, ...]  # sorted by ref, as the digest lists them
    capacities: tuple[tuple[int, int], ...]  # (slot_id, places left before the draw), by slot id
    order: tuple[str, ...]
    results: tuple[Result, ...]  # in draw order

    def to_json(self) -> dict:
        return {
            "secret": self.secret,
            "commitment": self.commitment,
            "digest": self.digest,
            "seed": self.seed,
            "entries": [entry.to_json() for entry in self.entries],
            "capacities": {str(slot_id): places for slot_id, places in self.capacities},
            "order": list(self.order),
            "results": [result.to_json() for result in self.results],
        }


def run_draw(secret: str, entries: Iterable[Entry], capacities: Mapping[int, int]) -> DrawRecord:
    """Draw one weekend: validate, order the entries by the seed, allocate, and return the public record."""
    entries = list(entries)
    check_inputs(secret, entries, capacities)
    entries.sort(key=lambda entry: entry.ref)
    entries_digest = digest(entry.ref for entry in entries)
    draw_seed = seed(secret, entries_digest)
    order = draw_order(draw_seed, (entry.ref for entry in entries))
    by_ref = {entry.ref: entry for entry in entries}

    left = dict(capacities)
    won: dict[str, int] = {}
    for ref in order:
        entry = by_ref[ref]
        slot_id = next((s for s in entry.slot_ids if left[s] >= entry.places), None)
        if slot_id is not None:
            left[slot_id] -= entry.places
            won[ref] = slot_id

    queued: dict[int, int] = {}  # slot id → reserve entries so far
    results = []
    for ref in order:
        if ref in won:
            results.append(Result(ref, won[ref]))
            continue
        reserve = []
        for slot_id in by_ref[ref].slot_ids:
            queued[slot_id] = queued.get(slot_id, 0) + 1
            reserve.append((slot_id, queued[slot_id]))
        results.append(Result(ref, None, tuple(reserve)))

    return DrawRecord(
        secret=secret,
        commitment=commitment(secret),
        digest=entries_digest,
        seed=draw_seed,
        entries=tuple(entries),
        capacities=tuple(sorted(capacities.items())),
        order=tuple(order),
        results=tuple(results),
    )


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_inputs(secret: str, entries: list[Entry], capacities: Mapping[int, int]) -> None:
    """Refuse anything the published algorithm does not define, naming the entry or session at fault."""
    if not isinstance(secret, str) or not SECRET.fullmatch(secret):
        raise DrawError("invalid_secret", "추첨 비밀값은 16진수 소문자 64자여야 합니다")
    for slot_id, places in capacities.items():
        if not is_int(slot_id) or not is_int(places) or places < 0:
            raise DrawError("invalid_capacity", f"회차 {slot_id!r}의 남은 자리는 0 이상의 정수여야 합니다")
    seen: set[str] = set()
    for entry in entries:
        ref = entry.ref
        if not isinstance(ref, str) or not REF.fullmatch(ref):
            raise DrawError("invalid_ref", f"신청 번호 {ref!r}는 16진수 소문자 1–64자여야 합니다")
        if ref in seen:
            raise DrawError("duplicate_ref", f"신청 번호 {ref}가 두 번 있습니다")
        seen.add(ref)
        choices = entry.slot_ids
        if not isinstance(choices, tuple) or not 1 <= len(choices) <= MAX_CHOICES:
            raise DrawError("too_many_choices", f"신청 {ref}: 희망 회차는 1–{MAX_CHOICES}개여야 합니다")
        unknown = [slot_id for slot_id in choices if not is_int(slot_id) or slot_id not in capacities]
        if unknown:
            raise DrawError("unknown_slot", f"신청 {ref}: 회차 {unknown[0]!r}의 남은 자리가 주어지지 않았습니다")
        if len(set(choices)) != len(choices):
            raise DrawError("duplicate_choice", f"신청 {ref}: 같은 회차를 두 번 고를 수 없습니다")
        if not is_int(entry.places) or entry.places < 1:
            raise DrawError("invalid_places", f"신청 {ref}: 자리 수(아이 수)는 1 이상이어야 합니다")


def offer_hold(now: datetime, session_starts: datetime) -> timedelta | None:
    """How long an offer of a freed place is held, or None once offers have stopped.

    With ``left = session_starts - now``: more than 48 h → 12 h; from 48 h down to 6 h, both included → 2 h;
    under 6 h and more than 2 h → 30 min; 2 h or less (offers stop exactly 2 h before) → None. An offer made
    before the cut-off keeps its whole hold even when it runs past the cut-off: a shorter, surprise hold would
    be worth little to a parent, and the place goes first-come if that offer lapses.
    """
    if now.tzinfo is None or session_starts.tzinfo is None:
        raise ValueError("naive datetime given; pass timezone-aware values")
    left = session_starts - now
    if left <= OFFERS_STOP:
        return None
    if left < NEAR:
        return HOLD_LAST
    if left <= FAR:
        return HOLD_NEAR
    return HOLD_FAR
