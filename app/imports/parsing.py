"""Free text from the source files turned into structure; pure functions, no database.

Every parser returns None (or empty fields) for text it does not understand: an unknown is
better than a guess. Weekday masks use bit 0 = Monday … bit 6 = Sunday (Facility.open_days).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

DAY_CHARS = "월화수목금토일"
ALL_DAYS = 0b1111111
# What a row that says nothing of its hours stores: open every day, no times, no source texts.
UNKNOWN_HOURS = {
    "open_days": ALL_DAYS,
    **dict.fromkeys(("always_open", "closed_on_holidays"), False),
    **dict.fromkeys(("opens_at", "closes_at", "hours_text", "days_text", "closed_days_text")),
}
WEEKDAYS = 0b0011111
WEEKEND = 0b1100000

_D = f"[{DAY_CHARS}]"
# A day char counts only when it is not inside a word (평일, 공휴일, 수방기간, 1월 1일).
_DAY_RANGE = re.compile(rf"(?<![\d가-힣])({_D})(?:요일)?\s*[~\-]\s*({_D})(?:요일|(?![가-힣]))")
_DAY_WORD = re.compile(
    rf"({_D}+)(?=요일)|(?<![\d가-힣])({_D}+)(?![가-힣])"
    rf"|(?<![\d가-힣])({_D}+)(?=제외|휴관|휴무|미개방|폐쇄|비개방|은|만|및|운영)"
)
_CLOSE = re.compile(r"휴관|휴무|휴원|미개방|비개방|개방\s*안\s*함|개방안함|폐쇄|제외|사용\s*불가|쉼")
_PARTIAL = re.compile(r"격주|첫째|둘째|셋째|넷째|다섯째|매월|\d\s*,?\s*\d?\s*주(?!말)|\d+째")
_HOLIDAY = re.compile(r"공휴일|국경일|휴일|법정\s*공휴일")
_TIME = r"(\d{1,2})\s*:{1,2}\s*(\d{2})"
_TIME_RANGE = re.compile(rf"{_TIME}\s*[~\-–]\s*(익일\s*)?{_TIME}(?!\d)")
_HOUR_RANGE = re.compile(r"(?<![\d.:])(\d{1,2})\s*시?\s*[~\-–]\s*(익일\s*)?(\d{1,2})\s*(?:시(?!간)|\)|$)(?![\d월일])")
_ALWAYS = re.compile(r"24\s*시간|^\s*24\s*시\s*$|상시|종일\s*개방|연중\s*개방")


# Patterns used inline below, compiled once (re's own cache costs a look-up per call).
_AGE_SPAN = re.compile(r"(\d{1,2})\s*(?:세|개월)?\s*[~\-–]\s*(\d{1,2})\s*세")
_AGE_FROM = re.compile(r"(\d{1,2})\s*세\s*이상")
_AGE_UPTO = re.compile(r"(\d{1,2})\s*세\s*(?:이하|미만)")
_CAP_INDIVIDUAL = re.compile(r"개인\s*(\d+)\s*명")
_CAP_GROUP = re.compile(r"단체\s*(\d+)\s*명")
_CAP_PLAIN = re.compile(r"\s*(?:정원\s*)?(\d+)\s*명?\s*")
_DAYS_ONLY = re.compile(rf"[\s,{DAY_CHARS}요일·/]+")
_WEEKEND_PAREN = re.compile(r"주말\s*\(([^()]*)\)")
_PAREN_KEEP = re.compile(r"\(([^()]*)\)?")
_PAREN_ANY = re.compile(r"\([^()]*\)?")
_CLOSED_SPLIT = re.compile(r"[,/.]|및")
_PAREN_OPEN = re.compile(r"\([^)]*\)?")
_CLOSED_DAY = re.compile(rf"(?:매주\s*)?([{DAY_CHARS}])(?:요일)?(?:은|에는)?(?:\s*휴관)?")
_CLAUSE_SPLIT = re.compile(r"[|()]")
_CLOSED_GAP = re.compile(r"(?:요일)?[\s,·/및]*(?:(?:법정\s*)?공휴일|휴일|국경일)?[\s,·/및]*")
_SPACED_WEEKDAY = re.compile(r"평\s+일")
_SPACED_WEEKEND = re.compile(r"주\s+말")


def day_mask(days: list[int]) -> int:
    """A weekday bitmask from day indexes (0 = Monday)."""
    mask = 0
    for d in days:
        mask |= 1 << d
    return mask


def _range_mask(a: str, b: str) -> int:
    i, j = DAY_CHARS.index(a), DAY_CHARS.index(b)
    days = list(range(i, j + 1)) if i <= j else list(range(i, 7)) + list(range(0, j + 1))
    return day_mask(days)


# The parsers below are pure functions of one cell's text, and source files repeat the same few texts many times
# ("화~일", "월, 공휴일", "정시(06:00~22:00)"): each distinct text is parsed once per process (their results are
# immutable: ints, tuples, frozen dataclasses).
PARSED_TEXTS = 8192


def clean(value) -> str | None:
    """A stripped string, or None for blank cells (the sources use a single space)."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@lru_cache(maxsize=PARSED_TEXTS)
def parse_age_range(text: str | None) -> tuple[int | None, int | None]:
    """ "4 ~ 10세 (연나이 기준) ..." → (4, 10); "만 3세 이상" → (3, None); unknown → (None, None)."""
    if not text:
        return None, None
    m = _AGE_SPAN.search(text)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        return (lo, hi) if lo <= hi else (None, None)
    m = _AGE_FROM.search(text)
    if m:
        return int(m.group(1)), None
    m = _AGE_UPTO.search(text)
    if m:
        return None, int(m.group(1))
    return None, None


@lru_cache(maxsize=PARSED_TEXTS)
def parse_capacity(text: str | None) -> tuple[int | None, int | None]:
    """ "개인 33 명 단체 33 명" → (33, 33); "개인 40 명" → (40, None); "30명" → (30, None)."""
    if not text:
        return None, None
    ind = _CAP_INDIVIDUAL.search(text)
    grp = _CAP_GROUP.search(text)
    if ind or grp:
        return (int(ind.group(1)) if ind else None), (int(grp.group(1)) if grp else None)
    plain = _CAP_PLAIN.fullmatch(text)
    return (int(plain.group(1)), None) if plain else (None, None)


def _strip_parens(text: str) -> str:
    """Drop parenthesised asides, but keep a bracket that only lists days: "주말(토, 일)" → "토, 일"."""

    def keep(m: re.Match) -> str:
        inner = m.group(1)
        if _DAYS_ONLY.fullmatch(inner):
            return " " + inner + " "
        return " "

    text = _WEEKEND_PAREN.sub(lambda m: keep(m) if keep(m).strip() else " 주말 ", text)
    return _PAREN_KEEP.sub(keep, text)


def _day_tokens(text: str) -> list[tuple[int, int, int, bool]]:
    """(start, end, mask, is_range) for every day mention: ranges, single days, 평일, 주말, 매일."""
    found: list[tuple[int, int, int, bool]] = []
    taken = [False] * (len(text) + 1)

    def add(start: int, end: int, mask: int, is_range: bool) -> None:
        if not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            found.append((start, end, mask, is_range))

    for m in _DAY_RANGE.finditer(text):
        add(m.start(), m.end(), _range_mask(m.group(1), m.group(2)), True)
    for word, mask in (("평일", WEEKDAYS), ("주말", WEEKEND), ("매일", ALL_DAYS), ("연중무휴", ALL_DAYS)):
        start = text.find(word)
        while start >= 0:  # every occurrence, left to right (re.finditer's matches for a plain word)
            add(start, start + len(word), mask, word != "주말")
            start = text.find(word, start + len(word))
    for m in _DAY_WORD.finditer(text):
        group = next(i for i in (1, 2, 3) if m.group(i))
        add(m.start(group), m.end(group), day_mask([DAY_CHARS.index(c) for c in m.group(group)]), False)
    return sorted(found)


@lru_cache(maxsize=PARSED_TEXTS)
def parse_open_days(text: str | None) -> int | None:
    """Operating days ("화~일", "화요일~일요일", "주말(토, 일)", "월~토") → weekday mask, or None."""
    if not text:
        return None
    body = _strip_parens(text)
    body = _TIME_RANGE.sub(" ", body)
    mask = 0
    for _s, _e, m, _r in _day_tokens(body):
        mask |= m
    return mask or None


@dataclass(frozen=True)
class ClosedDays:
    mask: int
    holidays: bool


@lru_cache(maxsize=PARSED_TEXTS)
def parse_closed_days(text: str | None) -> ClosedDays | None:
    """Closed days ("월, 명절 및 공휴일, 근로자의 날") → weekdays off and the public-holiday rule."""
    if not text or text.strip() in ("-", "없음", "연중무휴"):
        return ClosedDays(0, False) if text and text.strip() in ("없음", "연중무휴") else None
    mask, holidays, understood = 0, False, False
    text = _PAREN_ANY.sub(" ", text)
    for part in _CLOSED_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        bare = _PAREN_OPEN.sub("", part).strip()
        if "공휴일" in bare or "국경일" in bare:
            holidays = understood = True
            continue
        if _PARTIAL.search(part):
            continue
        day = _CLOSED_DAY.fullmatch(bare)
        if day:
            mask |= 1 << DAY_CHARS.index(day.group(1))
            understood = True
        elif bare == "평일":
            mask |= WEEKDAYS
            understood = True
        elif bare == "주말":
            mask |= WEEKEND
            understood = True
    return ClosedDays(mask, holidays) if understood else None


@dataclass(frozen=True)
class Hours:
    opens_at: str | None
    closes_at: str | None
    always_open: bool
    open_days: int
    closed_on_holidays: bool


def _hhmm(h: int, m: int) -> str | None:
    if h > 24 or m > 59 or (h == 24 and m):
        return None
    return f"{h:02d}:{m:02d}"


def _time_ranges(text: str) -> tuple[list[tuple[str, str]], str]:
    """All time ranges in the text and the text with them replaced by a separator."""
    ranges: list[tuple[str, str]] = []

    def take(m: re.Match, hm: tuple[int, int, int, int]) -> str:
        a, b = _hhmm(hm[0], hm[1]), _hhmm(hm[2], hm[3])
        if a is None or b is None:
            ranges.append(("?", "?"))
        else:
            ranges.append((a, b))
        return " | "

    rest = _TIME_RANGE.sub(lambda m: take(m, (int(m[1]), int(m[2]), int(m[4]), int(m[5]))), text)
    rest = _HOUR_RANGE.sub(lambda m: take(m, (int(m[1]), 0, int(m[3]), 0)), rest)
    return ranges, rest


def _days_in_clauses(text: str) -> tuple[int, int, bool]:
    """(open mask, closed mask, closed on holidays) from the words around the hours."""
    open_mask = closed_mask = 0
    holidays = False
    # A clause ends at a time range or a bracket; in "화-일, 월 휴무" only the days right before
    # the closing word are off, so walk back from it over single days and separators.
    for clause in _CLAUSE_SPLIT.split(text):
        tokens = _day_tokens(clause)
        closing = _CLOSE.search(clause)
        closed_idx: set[int] = set()
        partial = False
        if closing:
            cut = closing.start()
            before = [i for i, t in enumerate(tokens) if t[1] <= closing.start()]
            for n, i in enumerate(reversed(before)):
                start, end, _mask, is_range = tokens[i]
                gap = clause[end:cut]
                if n and (is_range or not _CLOSED_GAP.fullmatch(gap)):
                    break
                closed_idx.add(i)
                cut = start
            span = clause[cut : closing.start()]
            if _HOLIDAY.search(span) or _HOLIDAY.fullmatch(clause[: closing.start()].strip(" ,:")):
                holidays = True
            # "둘째,넷째월요일" closes only some weeks: not a weekly rule, so ignore those days.
            partial = bool(_PARTIAL.search(clause[max(0, cut - 8) : closing.start()]))
        for i, (_s, _e, mask, _r) in enumerate(tokens):
            if i not in closed_idx:
                open_mask |= mask
            elif not partial:
                closed_mask |= mask
    return open_mask, closed_mask, holidays


@lru_cache(maxsize=PARSED_TEXTS)
def parse_hours(text: str | None) -> Hours | None:
    """Opening hours ("정시(08:00~21:00)", "상시", "24시간", "정시 (05:00-익일01:00)") → Hours, or None."""
    if not text or not text.strip():
        return None
    text = _SPACED_WEEKDAY.sub("평일", _SPACED_WEEKEND.sub("주말", text))
    ranges, rest = _time_ranges(text)
    open_mask, closed_mask, holidays = _days_in_clauses(rest)
    days = (open_mask or ALL_DAYS) & ~closed_mask
    if not days:
        return None
    distinct = set(ranges)
    if len(distinct) > 1 or ("?", "?") in distinct:
        return None
    if distinct:
        opens, closes = ranges[0]
        if opens == closes or (opens == "00:00" and closes == "24:00"):
            return Hours(None, None, True, days, holidays)
        return Hours(opens, closes, False, days, holidays)
    if _ALWAYS.search(text):
        return Hours(None, None, True, days, holidays)
    return None


_DIAPER = re.compile(r"(?:기저귀|귀저귀)\s*(?:교환\s*대)?\s*(?:\([^)]*\)?)?\s*(\d+)?\s*개?\s*(없음|미설치|X|x)?")
_CHILD_CHAIR = re.compile(
    r"(?:영?유[아야]\s*용?\s*(?:보호\s*용?\s*)?(?:의자|거치대)|보조\s*의자|어린이\s*(?:보호\s*)?의자)\s*(\d+)?\s*개?\s*(없음)?"
)
_NURSING = re.compile(r"수유\s*(?:실|공간|시설)")


def _mentions(pattern: re.Pattern, text: str) -> bool:
    """True when the text names the equipment without a zero count or "없음"."""
    return any(m.group(1) != "0" and not m.group(2) for m in pattern.finditer(text))


def has_diaper_table(text: str) -> bool:
    """ "기저귀교환대2…", "기저귀 교환대 설치" → True; "기저귀교환대0", "기저귀교환대 없음" → False."""
    return _mentions(_DIAPER, text)


def has_child_chair(text: str) -> bool:
    """유아용 보호의자 / 유아 거치대 / 유아용 의자 mentioned with a non-zero count."""
    return _mentions(_CHILD_CHAIR, text)


def has_nursing_room(text: str) -> bool:
    """수유실 mentioned (not the place name 수유동)."""
    return bool(_NURSING.search(text))
