#!/usr/bin/env python3
"""Check a Nadeuri weekend-lottery record by recomputing it, with Python's standard library only.

    python3 verify_draw.py record.json        # or: ... | python3 verify_draw.py -
    python3 verify_draw.py record.json --commitment <published at the opening> --digest <published at the close>

The record is the public JSON of a draw (GET /api/draws?weekend=YYYY-MM-DD after the draw, plus "capacities"):
secret, commitment, digest, seed, entries [{ref, slot_ids, places}], capacities {slot_id: places left},
order [ref, ...] and results [{ref, won_slot_id, reserve {slot_id: position}}]. The steps, fixed in advance:
  commitment = sha256(secret); digest = sha256("\\n".join(sorted(refs))); seed = sha256(secret + ":" + digest);
  order = refs by sha256(seed + ":" + ref) ascending; in that order each entry gets the first of its ranked
  choices with at least `places` places left; the others are each chosen session's reserve list, in draw order.
Exit status: 0 the record checks out, 1 something differs (each difference is printed), 2 the record is unreadable.
This file deliberately shares no code with the app: it must run on its own, copied anywhere.
"""

import argparse
import hashlib
import json
import sys


def h(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recompute(record):
    """The draw's public values as the published algorithm makes them from secret, entries and capacities."""
    secret = record["secret"]
    entries = {e["ref"]: (list(e["slot_ids"]), e["places"]) for e in record["entries"]}
    digest = h("\n".join(sorted(entries)))
    seed = h(secret + ":" + digest)
    order = sorted(entries, key=lambda ref: h(seed + ":" + ref))
    left = {str(k): v for k, v in record["capacities"].items()}
    results, reserve_lengths = [], {}
    for ref in order:
        choices, places = entries[ref]
        won = None
        for slot in choices:
            if left.get(str(slot), 0) >= places:
                won = slot
                left[str(slot)] -= places
                break
        results.append({"ref": ref, "won_slot_id": won, "reserve": {}})
    for result in results:
        if result["won_slot_id"] is None:
            for slot in entries[result["ref"]][0]:
                reserve_lengths[str(slot)] = reserve_lengths.get(str(slot), 0) + 1
                result["reserve"][str(slot)] = reserve_lengths[str(slot)]
    return {"commitment": h(secret), "digest": digest, "seed": seed, "order": order, "results": results}


def differences(record, published=None):
    """What the record states and the recomputation does not give, one line each (empty: it checks out)."""
    found = recompute(record)
    # Values published before the draw bind the record: a re-made record with other entries fails here.
    out = [
        f"{key}: published earlier {value!r}, recomputed {found[key]!r}"
        for key, value in (published or {}).items()
        if value is not None and value != found[key]
    ]
    for key in ("commitment", "digest", "seed", "order"):
        if record.get(key) != found[key]:
            out.append(f"{key}: record {record.get(key)!r}, recomputed {found[key]!r}")
    stated = {r.get("ref"): r for r in record.get("results", [])}
    if len(stated) != len(record.get("results", [])):
        out.append("results: a ref appears more than once")
    for result in found["results"]:
        claim = stated.pop(result["ref"], None)
        if claim is None:
            out.append(f"results: {result['ref']} missing")
        elif claim.get("won_slot_id") != result["won_slot_id"] or claim.get("reserve") != result["reserve"]:
            out.append(f"results: {result['ref']} record {claim!r}, recomputed {result!r}")
    out += [f"results: {ref} is not an entry" for ref in stated]
    return out


def main(argv):
    parser = argparse.ArgumentParser(description="Verify a Nadeuri lottery draw record / 추첨 기록 검증")
    parser.add_argument("record", nargs="?", default="-", help="the record's JSON file; - or nothing: stdin")
    parser.add_argument("--commitment", help="sha256(secret) as published when entries opened")
    parser.add_argument("--digest", help="the digest of the refs as published at the close")
    args = parser.parse_args(argv[1:])
    try:
        if args.record == "-":
            record = json.load(sys.stdin)
        else:
            with open(args.record, encoding="utf-8") as f:
                record = json.load(f)
        problems = differences(record, {"commitment": args.commitment, "digest": args.digest})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"기록을 읽을 수 없습니다 / Cannot read the record: {exc.__class__.__name__}: {exc}")
        return 2
    if problems:
        print("불일치: 추첨 기록이 다시 계산한 결과와 다릅니다 / MISMATCH: the record differs from the recomputation")
        for line in problems:
            print("  - " + line)
        return 1
    n = len(record["entries"])
    print(f"일치: 추첨 기록이 검증되었습니다 (신청 {n}건) / OK: the draw record checks out ({n} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
