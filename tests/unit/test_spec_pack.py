"""SPEC §3's example pack, kept here byte for byte, passes the checker: with warnings, for its
list says `public: true` in a pack that rates persons only and admits and repairs on record types
the example leaves out, but with no error."""

from __future__ import annotations

from pathlib import Path

import pytest

from credo.services.packs.check import check_pack_file, errors, warnings

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "spec-section-3-pack.yaml"
SPEC = ROOT.parent / "shared" / "SPEC.md"


def spec_block() -> bytes:
    """The ```yaml block of SPEC §3, as the file has it."""
    text = SPEC.read_bytes()
    section = text.split(b"\n## 3. Pack", 1)[1].split(b"\n## 4.", 1)[0]
    return section.split(b"```yaml\n", 1)[1].split(b"```", 1)[0]


def test_the_fixture_is_the_example_of_the_spec() -> None:
    if not SPEC.exists():
        pytest.skip(f"{SPEC} is not here to compare with")
    assert FIXTURE.read_bytes() == spec_block()


def test_the_example_of_the_spec_is_accepted_with_its_warnings() -> None:
    pack, problems = check_pack_file(FIXTURE)
    assert errors(problems) == []
    assert pack is not None
    assert (pack.pack, pack.version, str(pack.effective_from)) == ("rongcheng", 1, "2026-01-01")
    text = FIXTURE.read_text(encoding="utf-8").splitlines()
    line = {key: next(n for n, t in enumerate(text, 1) if key in t) for key in ("admit", "repair")}
    line["public"] = next(n for n, t in enumerate(text, 1) if t.strip().startswith("public:"))
    assert [(p.line, p.key) for p in warnings(problems)] == [
        (line["admit"], "lists[0].admit.record"),
        (line["repair"], "lists[0].repair.record"),
        (line["public"], "lists[0].public"),
    ]
    assert all(str(p).startswith(f"{FIXTURE}:{p.line}: warning: ") for p in problems)
    # Its placeholder bases are text, and so a basis.
    assert pack.lists[0].basis == pack.measures[0].basis == "..."


def test_a_strict_check_of_the_example_refuses_it() -> None:
    pack, problems = check_pack_file(FIXTURE, strict=True)
    assert pack is None
    assert len(errors(problems)) == 3
    assert warnings(problems) == []
