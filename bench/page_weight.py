"""Page weight on a phone: bytes of the search page and every asset it loads, uncompressed, gzip and brotli.

    .venv/bin/python bench/page_weight.py [--base http://127.0.0.1:5105] [--path "/?lat=37.5665&lon=126.978"]

Against a running server (scripts/serve, real data). "none" is what every response weighed before compression
(#10): the same bytes the app sends to a client that does not ask for gzip or brotli. Prints a Markdown table.
The map's popups fetch their facility's card when opened (GET /facilities/<id>/card, under 1 KB): not counted.
"""

from __future__ import annotations

import argparse
import re
import urllib.request

ENCODINGS = ("none", "gzip", "br")


def fetch(url: str, encoding: str) -> tuple[int, str, str]:
    """(bytes on the wire, Content-Encoding, Cache-Control) of one GET."""
    headers = {} if encoding == "none" else {"Accept-Encoding": encoding}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        body = response.read()  # urllib does not decode: this is what travels
        return len(body), response.headers.get("Content-Encoding", ""), response.headers.get("Cache-Control", "")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:5105")
    ap.add_argument("--path", default="/?lat=37.5665&lon=126.978")
    args = ap.parse_args()
    page_url = args.base + args.path
    with urllib.request.urlopen(page_url, timeout=30) as response:
        page = response.read().decode()
    assets = sorted(set(re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', page)))
    # What the map's script fetches itself: the district outlines (the same file for every page, kept a year).
    assets += sorted(set(re.findall(r'"(/maps/outlines\.json\?v=[0-9a-f]+)"', page)))
    rows = [(args.path, page_url)] + [(a.split("?")[0], args.base + a.replace("&amp;", "&")) for a in assets]
    totals = dict.fromkeys(ENCODINGS, 0)
    print("| response | none (before) | gzip | brotli | Cache-Control |\n| --- | ---: | ---: | ---: | --- |")
    for name, url in rows:
        sizes = {}
        for encoding in ENCODINGS:
            sizes[encoding], _, cache = fetch(url, encoding)
            totals[encoding] += sizes[encoding]
        kb = " | ".join(f"{sizes[e] / 1024:.1f} KB" for e in ENCODINGS)
        print(f"| `{name}` | {kb} | {cache or '—'} |")
    kb = " | ".join(f"**{totals[e] / 1024:.1f} KB**" for e in ENCODINGS)
    print(f"| total, first visit | {kb} | |")


if __name__ == "__main__":
    main()
