"""The simulation report's plots as SVG, drawn by matplotlib from the report's JSON: the tier
transition heat map, the score histograms before and after, and the decisions changed per
context. Their text is tier names, numbers and context ids only, so one drawing serves both
languages; the captions around them are the page's.

matplotlib writes styles as `style` attributes and a `<style>` element, which the portal's
Content-Security-Policy does not let a page apply; each is rewritten as SVG presentation
attributes, which it does."""

from __future__ import annotations

import io
import re
from typing import Any

PLOTS = ("transitions", "scores", "decisions")
_TAG_WITH_STYLE = re.compile(r'<([A-Za-z:]+)\s([^<>]*\bstyle="[^"]*"[^<>]*?)(\s*/?>)')
_ATTR = re.compile(r'([A-Za-z_:][-A-Za-z0-9_:.]*)="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)
_NOW, _PROPOSED, _GRID = "#7a7a7a", "#1f5fa8", "#d9d9d9"


def plots(pack: dict[str, Any]) -> dict[str, str]:
    """name → SVG text, for one pack's part of the report."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.hashsalt": "credo", "svg.fonttype": "none"})
    return {
        "transitions": _svg(_transitions(pack)),
        "scores": _svg(_scores(pack)),
        "decisions": _svg(_decisions(pack)),
    }


def _transitions(pack: dict[str, Any]) -> Any:
    import matplotlib.pyplot as plt

    tiers = [*pack["tiers"]]
    for c in pack["transitions"]:
        for t in (c["from"], c["to"]):
            if t not in tiers:
                tiers.append(t)
    labels = [t or "-" for t in tiers]
    grid = [[0.0] * len(tiers) for _ in tiers]
    text = [[""] * len(tiers) for _ in tiers]
    for c in pack["transitions"]:
        i, j = tiers.index(c["from"]), tiers.index(c["to"])
        n = c["subjects"]
        grid[i][j] = float(n) if n is not None else 5.0
        text[i][j] = f"{n:,}" if n is not None else "<10"
    size = max(3.0, 0.6 * len(tiers) + 1.5)
    fig, ax = plt.subplots(figsize=(size, size * 0.85))
    # Diagonal counts dwarf the moves: colour by the log, so a move of ten still shows.
    import numpy as np

    ax.imshow(np.log1p(np.array(grid)), cmap="Blues")
    ax.set_xticks(range(len(tiers)), labels)
    ax.set_yticks(range(len(tiers)), labels)
    ax.set_xlabel("→")
    top = max((v for row in grid for v in row), default=1.0)
    for i, row in enumerate(text):
        for j, label in enumerate(row):
            if label:
                dark = np.log1p(grid[i][j]) > 0.6 * np.log1p(top)
                ax.text(j, i, label, ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")  # fmt: skip
    fig.tight_layout()
    return fig


def _scores(pack: dict[str, Any]) -> Any:
    import matplotlib.pyplot as plt

    h = pack["histogram"]
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    if h["edges"]:
        edges = h["edges"]
        width = edges[1] - edges[0]
        now = [n or 0 for n in h["now"]]
        then = [n or 0 for n in h["proposed"]]
        ax.bar(edges[:-1], now, width=width, align="edge", color=_NOW, alpha=0.55, label="now")
        ax.step(edges, [*then, then[-1] if then else 0], where="post", color=_PROPOSED,
                linewidth=1.6, label="proposed")  # fmt: skip
        ax.legend(frameon=False, fontsize=8)
    ax.grid(axis="y", color=_GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def _decisions(pack: dict[str, Any]) -> Any:
    import matplotlib.pyplot as plt

    rows = pack["decisions"]
    fig, ax = plt.subplots(figsize=(6.4, 0.5 * max(len(rows), 1) + 0.9))
    names = [d["context"] for d in rows]
    left = [0] * len(rows)
    for key, colour in (
        ("allow_to_deny", "#b3261e"),
        ("deny_to_allow", "#2e7d32"),
        ("terms_changed", _PROPOSED),
    ):
        values = [d[key] for d in rows]
        ax.barh(names, values, left=left, color=colour, label=key.replace("_", " "))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.grid(axis="x", color=_GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return presentational(buffer.getvalue())


def presentational(svg: str) -> str:
    """`style="fill: #fff; stroke: none"` as `fill="#fff" stroke="none"`, over any attribute
    of the same name the element has; no `<style>` element."""

    def element(m: re.Match[str]) -> str:
        name, body, end = m.group(1), m.group(2), m.group(3)
        attrs = dict(_ATTR.findall(body))
        style = attrs.pop("style", "")
        for part in style.split(";"):
            if ":" in part:
                key, value = part.split(":", 1)
                attrs[key.strip()] = value.strip()
        return f"<{name} " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + end

    return _TAG_WITH_STYLE.sub(element, _STYLE_ELEMENT.sub("", svg))
