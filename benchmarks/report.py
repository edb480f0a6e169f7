"""Benchmark output: figures, and ratios against references measured in the same run."""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Report:
    lines: list[dict[str, object]] = field(default_factory=list)

    def figure(self, name: str, value: float, unit: str) -> None:
        self.lines.append({"name": name, "value": value, "unit": unit})
        print(f"{name}: {value:,.1f} {unit}", flush=True)

    def ratio(self, name: str, value: float, *, goal: float) -> None:
        met = "meets" if value >= goal else "misses"
        self.lines.append({"name": name, "ratio": value, "goal": goal})
        print(f"ratio {name}: {value:.2f}x (goal ≥ {goal:.3g}x: {met})", flush=True)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        machine = {"machine": platform.machine(), "python": platform.python_version()}
        path.write_text(json.dumps({"machine": machine, "lines": self.lines}, indent=1))
