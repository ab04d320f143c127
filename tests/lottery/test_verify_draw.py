"""scripts/verify_draw.py, run as anyone would run it, confirms the app's draws and catches tampered records."""

from __future__ import annotations

import ast
import copy
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.lottery.draw import Entry, run_draw

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_draw.py"
BARE = shutil.which("python3")


def draw() -> dict:
    """A public record of a busy draw: winners, fallbacks and reserve lists."""
    rng = random.Random(7)
    refs = [f"{n:06x}" for n in rng.sample(range(1 << 24), 40)]
    entries = [Entry(ref, tuple(rng.sample(range(1, 7), rng.randint(1, 3))), rng.randint(1, 3)) for ref in refs]
    return run_draw("5a" * 32, entries, {slot: rng.randint(0, 6) for slot in range(1, 7)}).to_json()


def verify(record: dict, tmp_path: Path, python: str = sys.executable, *options: str) -> tuple[int, str]:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    # -I: no user site, no PYTHONPATH, no current directory: only the standard library is importable.
    done = subprocess.run([python, "-I", SCRIPT, path, *options], capture_output=True, text=True, cwd=tmp_path)
    return done.returncode, done.stdout


PYTHONS = [sys.executable, pytest.param(BARE, marks=pytest.mark.skipif(not BARE, reason="no python3 on PATH"))]


@pytest.mark.parametrize("python", PYTHONS, ids=["venv", "bare-python3"])
def test_a_record_from_the_app_checks_out(python, tmp_path):
    record = draw()
    assert any(r["won_slot_id"] is None for r in record["results"])  # the case has reserves to check
    code, out = verify(record, tmp_path, python, "--commitment", record["commitment"], "--digest", record["digest"])
    assert (code, out.count("일치"), out.count("OK")) == (0, 1, 1), out


def test_the_record_may_come_on_stdin():
    done = subprocess.run([sys.executable, "-I", SCRIPT, "-"], input=json.dumps(draw()), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def tampered() -> dict[str, callable]:
    def secret(r):
        r["secret"] = "5b" * 32

    def removed(r):
        gone = r["entries"].pop(3)["ref"]
        r["results"] = [x for x in r["results"] if x["ref"] != gone]
        r["order"].remove(gone)

    def added(r):
        r["entries"].append({"ref": "ffff", "slot_ids": [1], "places": 1})
        r["results"].append({"ref": "ffff", "won_slot_id": None, "reserve": {"1": 99}})
        r["order"].append("ffff")

    def swapped(r):
        winner = next(x for x in r["results"] if x["won_slot_id"] is not None)
        loser = next(x for x in r["results"] if x["won_slot_id"] is None)
        winner["won_slot_id"], loser["won_slot_id"] = loser["won_slot_id"], winner["won_slot_id"]
        winner["reserve"], loser["reserve"] = loser["reserve"], winner["reserve"]

    def swapped_wins(r):
        one = next(x for x in r["results"] if x["won_slot_id"] is not None)
        two = next(x for x in r["results"] if x["won_slot_id"] not in (None, one["won_slot_id"]))
        one["won_slot_id"], two["won_slot_id"] = two["won_slot_id"], one["won_slot_id"]

    def reordered(r):
        r["order"][0], r["order"][1] = r["order"][1], r["order"][0]

    def capacity(r):
        r["capacities"]["1"] += 1

    return {f.__name__: f for f in (secret, removed, added, swapped, swapped_wins, reordered, capacity)}


@pytest.mark.parametrize("python", PYTHONS, ids=["venv", "bare-python3"])
@pytest.mark.parametrize("change", list(tampered()))
def test_a_changed_record_is_rejected_with_what_differs(python, change, tmp_path):
    record = copy.deepcopy(draw())
    tampered()[change](record)
    code, out = verify(record, tmp_path, python)
    assert code == 1 and "불일치" in out and "MISMATCH" in out and "  - " in out, out


def test_a_remade_record_with_another_entry_fails_against_the_digest_published_at_the_close(tmp_path):
    original = draw()
    entries = [Entry(e["ref"], tuple(e["slot_ids"]), e["places"]) for e in original["entries"]]
    capacities = {int(slot): places for slot, places in original["capacities"].items()}
    remade = run_draw(original["secret"], [*entries, Entry("abcd", (1,), 1)], capacities).to_json()
    assert verify(remade, tmp_path)[0] == 0  # consistent in itself …
    code, out = verify(remade, tmp_path, sys.executable, "--digest", original["digest"])
    assert code == 1 and "digest: published earlier" in out  # … but not the entry set fixed at the close


def test_an_unreadable_record_exits_2(tmp_path):
    assert verify([1, 2], tmp_path)[0] == 2
    assert verify({"secret": "00"}, tmp_path)[0] == 2


def test_the_script_imports_only_the_standard_library():
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    nodes = list(ast.walk(tree))
    names = {alias.name.split(".")[0] for node in nodes if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module.split(".")[0] for node in nodes if isinstance(node, ast.ImportFrom)}
    assert names and names <= sys.stdlib_module_names
