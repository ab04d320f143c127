"""Weekend lottery simulation (issue #12): first-come with bots against the lottery of app/lottery/draw.py.

    .venv/bin/python bench/lottery_sim.py [--households 20000] [--cafes 400] [--weekends 8] [--bot-places 0.30] ...

The same households, preferences and weekends go through both allocations (every knob is an option; see --help):
- Each café has weekend sessions (4 a day, Saturday and Sunday) of `--capacity` places. Cafés differ in popularity
  (log-normal weights); a household lives near one café (drawn by popularity) and, on a weekend it wants to go out
  (`--active`), ranks 1–3 sessions of that café and its two neighbours. Places = its children (1–3).
- First-come: bots book `--bot-places` of all places in the sessions most in demand, first; then households in order
  of speed, a lasting trait per household (phone, network, free at 09:00) times weekly noise, so the same ones tend
  to be first every week. Each takes the first of its choices with room.
- Lottery: one entry per account, bot accounts (`--bot-accounts` of all accounts) included with 3 places on hot
  sessions; `run_draw` allocates; offers of freed places follow `offer_hold` from the claim deadline (Friday 12:00)
  until 2 h before the session; what is left then goes first-come on the day.
- Both: a household keeps a place with probability 1 - `--drop` (lottery: claims the win; first-come: does not
  cancel); freed places go to waiting households who chose the session (lottery: reserve order, first-come: speed
  order), each taking it with probability `--accept`. Bots keep every place (counted as used: they resell).
Reported per system: households with at least one place in a month (of those who wanted one that month, averaged over
months of 4 weekends), the Gini of places per household (over households that wanted a place at least once), the
share of places used, and the bots' share of the places used.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.lottery.draw import Entry, offer_hold, run_draw  # noqa: E402
from app.timeutil import KST  # noqa: E402

STARTS = [(10, 0), (12, 30), (15, 0), (17, 30)]  # session times, Saturday and Sunday
FIRST_SATURDAY = date(2027, 1, 2)


@dataclass
class World:
    """Fixed for the whole run: sessions, households and their traits."""

    capacity: int
    n_sessions: int
    home: list[int]  # household → café
    children: list[int]
    speed: list[float]
    cafe_weight: list[float]
    n_cafes: int


@dataclass
class Week:
    """One weekend's demand: who wants to go, their ranked choices, and the hot sessions bots aim at."""

    number: int
    choices: dict[int, tuple[int, ...]]  # household → ranked slot ids
    hot: list[int]  # slot ids by demand per place, highest first
    placed: dict[int, int] = field(default_factory=dict)  # household → slot id held at session time
    gave_up: set[int] = field(default_factory=set)  # dropped a place this weekend: does not come back for another
    bot_places: int = 0


def build_world(args, rng: random.Random) -> World:
    weights = [rng.lognormvariate(0, 1) for _ in range(args.cafes)]
    home = rng.choices(range(args.cafes), weights=weights, k=args.households)
    children = rng.choices([1, 2, 3], weights=[55, 35, 10], k=args.households)
    speed = [rng.lognormvariate(0, 1) for _ in range(args.households)]
    sessions = args.cafes * 2 * len(STARTS)
    return World(args.capacity, sessions, home, children, speed, weights, args.cafes)


def session_start(number: int, slot_id: int) -> datetime:
    saturday = FIRST_SATURDAY + timedelta(weeks=number)
    k = slot_id % (2 * len(STARTS))
    hour, minute = STARTS[k % len(STARTS)]
    day = saturday + timedelta(days=k // len(STARTS))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=KST)


def build_week(number: int, world: World, args, rng: random.Random) -> Week:
    per_cafe = 2 * len(STARTS)
    choices = {}
    demand = [0] * world.n_sessions
    for household in range(len(world.home)):
        if rng.random() >= args.active:
            continue
        cafes = [(world.home[household] + d) % world.n_cafes for d in (0, -1, 1)]
        candidates = [c * per_cafe + k for c in cafes for k in range(per_cafe)]
        weights = [world.cafe_weight[s // per_cafe] * (1.5 if s % len(STARTS) in (1, 2) else 1) for s in candidates]
        ranked: list[int] = []
        for _ in range(rng.choices([1, 2, 3], weights=[20, 30, 50])[0]):
            pick = rng.choices(candidates, weights=weights)[0]
            if pick not in ranked:
                ranked.append(pick)
        choices[household] = tuple(ranked)
        for slot_id in ranked:
            demand[slot_id] += world.children[household]
    hot = sorted(range(world.n_sessions), key=lambda s: -demand[s])
    return Week(number, choices, hot)


def refill(left: dict[int, int], slot_id: int, waiting, week: Week, world: World, rng, accept: float) -> None:
    """Freed places of one session to waiting households in the given order, each taking it with `accept`."""
    for household in waiting:
        if left[slot_id] == 0:
            return
        need = world.children[household]
        free = household not in week.placed and household not in week.gave_up
        if free and need <= left[slot_id] and rng.random() < accept:
            week.placed[household] = slot_id
            left[slot_id] -= need


def first_come(week: Week, world: World, args, rng: random.Random) -> None:
    left = dict.fromkeys(range(world.n_sessions), world.capacity)
    target = min(round(args.bot_places * world.capacity * world.n_sessions), sum(left.values()))
    while week.bot_places < target:  # bots book 3 places at a time across the hottest sessions
        for slot_id in week.hot:
            take = min(3, left[slot_id], target - week.bot_places)
            left[slot_id] -= take
            week.bot_places += take
            if week.bot_places >= target:
                break
    arrival = sorted(week.choices, key=lambda h: world.speed[h] * rng.lognormvariate(0, 0.5), reverse=True)
    for household in arrival:
        slot_id = next((s for s in week.choices[household] if left[s] >= world.children[household]), None)
        if slot_id is not None:
            week.placed[household] = slot_id
            left[slot_id] -= world.children[household]
    freed = drop_some(week, world, left, rng, args.drop)
    for slot_id in freed:
        waiting = [h for h in arrival if slot_id in week.choices[h]]
        refill(left, slot_id, waiting, week, world, rng, args.accept)


def drop_some(week: Week, world: World, left: dict[int, int], rng, drop: float) -> list[int]:
    """Households that give their place back (no claim / cancellation); the sessions with places freed."""
    freed = set()
    for household, slot_id in list(week.placed.items()):
        if rng.random() < drop:
            del week.placed[household]
            week.gave_up.add(household)
            left[slot_id] += world.children[household]
            freed.add(slot_id)
    return sorted(freed)


def lottery(week: Week, world: World, args, rng: random.Random, bots: int) -> None:
    entries = [Entry(f"{h:x}", ranked, world.children[h]) for h, ranked in week.choices.items()]
    top = week.hot[: max(3, len(week.hot) // 20)]
    first_bot = len(world.home)  # refs are hex: households 0…n-1, then the bot accounts
    entries += [Entry(f"{first_bot + b:x}", tuple(rng.sample(top, 3)), 3) for b in range(bots)]
    secret = f"{rng.getrandbits(256):064x}"
    record = run_draw(secret, entries, dict.fromkeys(range(world.n_sessions), world.capacity))
    left = dict.fromkeys(range(world.n_sessions), world.capacity)
    reserves: dict[int, list[int]] = {}
    for result in record.results:
        is_bot = int(result.ref, 16) >= first_bot
        if result.won_slot_id is not None:
            places = 3 if is_bot else world.children[int(result.ref, 16)]
            left[result.won_slot_id] -= places
            if is_bot:
                week.bot_places += places
            else:
                week.placed[int(result.ref, 16)] = result.won_slot_id
        elif not is_bot:  # bots on reserve lists are left out: they only book what they can resell at once
            for slot_id, _ in result.reserve:
                reserves.setdefault(slot_id, []).append(int(result.ref, 16))
    claim_by = datetime.combine(FIRST_SATURDAY + timedelta(weeks=week.number, days=-1), datetime.min.time(), KST)
    claim_by += timedelta(hours=12)
    for slot_id in drop_some(week, world, left, rng, args.drop):
        offer(slot_id, reserves.get(slot_id, []), claim_by, left, week, world, rng, args.accept)
    for slot_id, waiting in reserves.items():  # left at the cut-off: first-come on the day
        if left[slot_id]:
            refill(left, slot_id, sorted(waiting, key=lambda h: -world.speed[h]), week, world, rng, args.accept)


def offer(slot_id, queue, now, left, week: Week, world: World, rng, accept: float) -> None:
    """Offers in reserve order, one round per hold, until offers stop 2 h before the session."""
    starts = session_start(week.number, slot_id)
    queue = list(queue)
    while left[slot_id] and queue:
        hold = offer_hold(now, starts)
        if hold is None:
            return
        pool, offered = left[slot_id], []
        for household in list(queue):
            if household in week.placed:
                queue.remove(household)
            elif world.children[household] <= pool:
                queue.remove(household)
                offered.append(household)
                pool -= world.children[household]
        for household in offered:
            if rng.random() < accept:
                week.placed[household] = slot_id
                left[slot_id] -= world.children[household]
        now += hold


def gini(values: list[int]) -> float:
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if not total:
        return 0.0
    return 2 * sum((i + 1) * x for i, x in enumerate(ordered)) / (n * total) - (n + 1) / n


def summarise(weeks: list[Week], world: World) -> dict[str, float]:
    places = [0] * len(world.home)
    wanted = set()
    month_shares = []
    for start in range(0, len(weeks), 4):
        month = weeks[start : start + 4]
        wanting = set().union(*(w.choices for w in month))
        placed = set().union(*(w.placed for w in month))
        month_shares.append(len(placed & wanting) / len(wanting))
    for week in weeks:
        wanted |= set(week.choices)
        for household in week.placed:
            places[household] += world.children[household]
    used_households = sum(places)
    used_bots = sum(w.bot_places for w in weeks)
    total = world.capacity * world.n_sessions * len(weeks)
    return {
        "month": sum(month_shares) / len(month_shares),
        "gini": gini([places[h] for h in wanted]),
        "used": (used_households + used_bots) / total,
        "households": used_households / total,
        "bots": used_bots / (used_households + used_bots),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--households", type=int, default=20_000)
    ap.add_argument("--cafes", type=int, default=400)
    ap.add_argument("--weekends", type=int, default=8)
    ap.add_argument("--capacity", type=int, default=5, help="places per session (8 sessions a weekend per café)")
    ap.add_argument("--active", type=float, default=0.6, help="chance a household wants a place on a weekend")
    ap.add_argument("--bot-accounts", type=float, default=0.02, help="bot accounts as a share of households")
    ap.add_argument("--bot-places", type=float, default=0.30, help="share of places bots take under first-come")
    ap.add_argument("--drop", type=float, default=0.10, help="chance a winner/booker gives the place back")
    ap.add_argument("--accept", type=float, default=0.70, help="chance a waiting household takes a freed place")
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()

    t0 = time.perf_counter()
    world = build_world(args, random.Random(args.seed))
    demand_rng = random.Random(args.seed + 1)
    weeks = [build_week(n, world, args, demand_rng) for n in range(args.weekends)]
    runs = {}
    for name in ("first_come", "lottery"):
        rng = random.Random(args.seed + 2)  # the same noise stream for both
        copies = [Week(w.number, w.choices, w.hot) for w in weeks]
        for week in copies:
            if name == "first_come":
                first_come(week, world, args, rng)
            else:
                lottery(week, world, args, rng, round(args.bot_accounts * args.households))
        runs[name] = summarise(copies, world)

    demand = sum(world.children[h] for w in weeks for h in w.choices) / len(weeks)
    supply = world.capacity * world.n_sessions
    print(f"{args.households:,} households, {args.cafes} cafés × 8 weekend sessions × {args.capacity} places,")
    print(f"{args.weekends} weekends; places wanted per weekend {demand:,.0f} for {supply:,} places; seed {args.seed}")
    print()
    print(
        "| allocation | households with ≥ 1 place a month | Gini, places per household | places used | by households "
        "| bots' share |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    labels = {"first_come": f"first-come, bots take {args.bot_places:.0%}", "lottery": "lottery (app/lottery/draw.py)"}
    for name, row in runs.items():
        shares = " | ".join(f"{row[key]:.1%}" for key in ("used", "households", "bots"))
        print(f"| {labels[name]} | {row['month']:.1%} | {row['gini']:.3f} | {shares} |")
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
