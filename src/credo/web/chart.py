"""The score chart on `/me`, as SVG geometry worked out on the server: a step line of the
score over two years and a dashed step to its next change. The template draws it; no script
is needed to read it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from credo.domain.scoring.explanation import NextChange
from credo.services.portal.history import ScorePoint

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 32


@dataclass(frozen=True, slots=True)
class Tick:
    at: float
    label: date | int


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    path: str
    ahead: str  # the dashed step to the next change, or ""
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    left: int
    bottom: float
    right: float


def chart(points: Sequence[ScorePoint], next_change: NextChange | None) -> Chart | None:
    known = [p for p in points if p.score is not None]
    if not known:
        return None
    start, today = points[0].on, points[-1].on
    end = next_change.on if next_change else today
    scores = [p.score for p in known if p.score is not None]
    if next_change:
        scores.append(next_change.score)
    low, high = min(scores), max(scores)
    pad = max(10, (high - low) // 8)
    low, high = low - pad, high + pad
    span_days = max((end - start).days, 1)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(d: date) -> float:
        return round(LEFT + inner_w * (d - start).days / span_days, 1)

    def y(score: int) -> float:
        return round(TOP + inner_h * (high - score) / (high - low), 1)

    steps: list[str] = []
    last: ScorePoint | None = None
    for p in points:
        if p.score is None:
            last = None
            continue
        if last is None:
            steps.append(f"M{x(p.on)},{y(p.score)}")
        else:
            steps.append(f"H{x(p.on)}V{y(p.score)}")
        last = p
    if last is not None:
        steps.append(f"H{x(today)}")
    ahead = ""
    if next_change and last is not None and last.score is not None:
        ahead = f"M{x(today)},{y(last.score)}H{x(end)}V{y(next_change.score)}"
    middle = date.fromordinal((start.toordinal() + today.toordinal()) // 2)
    x_ticks = tuple(Tick(x(d), d) for d in dict.fromkeys([start, middle, today, end]))
    y_values = sorted({low + pad, (low + high) // 2, high - pad})
    return Chart(
        WIDTH,
        HEIGHT,
        "".join(steps),
        ahead,
        x_ticks,
        tuple(Tick(y(v), v) for v in y_values),
        LEFT,
        HEIGHT - BOTTOM,
        WIDTH - RIGHT,
    )
