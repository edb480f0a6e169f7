"""The rulebooks shipped with credo (the `packs/` folder)."""

from __future__ import annotations

from pathlib import Path


def packs_dir() -> Path:
    installed = Path(__file__).parent / "packs"
    return installed if installed.is_dir() else Path(__file__).parents[2] / "packs"


def shipped_packs() -> list[Path]:
    """Every version of every shipped pack, oldest version first."""
    return sorted(packs_dir().glob("*/v*.yaml"), key=lambda p: (p.parent.name, int(p.stem[1:])))
