"""The simulation report as HTML, in English and Chinese, with its plots and JSON beside it
(`credo simulate --report DIR`). The portal shows the same part of the page for a proposal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from credo.web import i18n
from credo.web.render import environment
from credo.web.simulation_plots import plots

STATIC = Path(__file__).parent / "static"
PAGES = {"en": "report.html", "zh": "report.zh.html"}


def report_values(report: dict[str, Any], plots_at: str) -> dict[str, Any]:
    """What `_simulation.html` reads."""
    cells = {
        p["pack"]: {(c["from"], c["to"]): c["subjects"] for c in p["transitions"]}
        for p in report["packs"]
    }
    return {"report": report, "plots": plots_at, "cells": cells}


def report_html(report: dict[str, Any], lang: str, *, plots_at: str = "") -> str:
    env = environment(lang)
    return env.get_template("simulation_report.html").render(**report_values(report, plots_at))


def write_report(directory: Path, report: dict[str, Any]) -> list[Path]:
    """report.json (the published JSON), report.html and report.zh.html, report.css, and three
    SVG plots per pack; returns the pages and the JSON."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    data = directory / "report.json"
    data.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
    for pack in report["packs"]:
        for name, svg in plots(pack).items():
            (directory / f"{pack['pack']}-{name}.svg").write_text(svg, encoding="utf-8")
    (directory / "report.css").write_text(
        (STATIC / "portal.css").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for lang in i18n.LANGUAGES:
        page = directory / PAGES[lang]
        page.write_text(report_html(report, lang), encoding="utf-8")
        written.append(page)
    return [*written, data]
