"""A weekend's public draw record, as GET /api/draws answers it and the draw page shows it.

What is public grows with the draw's status: the commitment and the cycle from the opening, the refs and their
digest from the close, the secret, seed, entries, order and results from the draw. Nothing in it names a person.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.lottery.models import LotteryDraw
from app.lottery.services import city_cycle
from app.timeutil import kst_iso


def draw_json(session: Session, weekend: date) -> dict | None:
    """The weekend's public record so far, or None before its draw exists (entries not open yet)."""
    draw = session.scalar(select(LotteryDraw).where(LotteryDraw.weekend == weekend))
    if draw is None:
        return None
    cycle = city_cycle(session, weekend)
    answer = {
        "weekend": weekend.isoformat(),
        "status": draw.status,
        "commitment": draw.commitment,
        "opens_at": kst_iso(cycle["lottery_opens"]),
        "closes_at": kst_iso(cycle["lottery_closes"]),
        "draw_at": kst_iso(cycle["lottery_draw"]),
    }
    if draw.status != "open":  # at the close: the entry set, fixed before the secret is revealed
        answer.update(refs=list(draw.refs or []), digest=draw.digest)
    if draw.status == "drawn":  # the record names refs and sessions only, never a person
        answer.update(draw.record or {})
    return answer
