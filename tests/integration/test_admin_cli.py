"""Acts from the command line are ledger entries naming `cli:<user>`: a key made, a sign-in
link, a revocation, a signing key rotation, a pack adopted; `credo audit verify` covers them."""

from __future__ import annotations

from pathlib import Path

from credo.bootstrap import bootstrap
from credo.cli.shared import cli_actor
from credo.settings import Settings
from credo.shipped import shipped_packs
from tests.integration.conftest import Credo, credo  # noqa: F401 (fixture)


def test_command_line_acts_are_entries_naming_the_user(credo: Credo, tmp_path: Path) -> None:  # noqa: F811
    pack = next(p for p in shipped_packs() if p.parent.name == "rongcheng")
    assert credo("pack", "adopt", str(pack)).code == 0
    made = credo("keys", "create", "--role", "subject", "--id", "p-1")
    assert made.code == 0, made.err
    token = made.out.strip()
    link = credo("keys", "login-link", "--id", "p-1")
    assert link.code == 0, link.err
    key_id = made.err.split()[1].rstrip(":")
    assert credo("keys", "revoke", key_id).code == 0
    assert credo("keys", "rotate-signing").code == 0
    verified = credo("audit", "verify")
    assert verified.code == 0, verified.err

    ctx = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'credo.db'}"))
    acts = ctx.store.admin_entries()
    [adopted] = ctx.store.packs()
    ctx.store.close()
    me = cli_actor()
    assert me.startswith("cli:")
    assert [(e.kind, e.actor) for e in acts] == [
        ("key", me),
        ("login-link", me),
        ("key-revocation", me),
        ("signing-key-rotation", me),
    ]
    assert adopted.adopted_by == me
    assert acts[0].data == {
        "key_id": key_id, "role": "subject", "id": "p-1", "scopes": [], "rate": None,
    }  # fmt: skip
    assert acts[3].data["retired"] != acts[3].data["key_id"]
    assert token not in str([e.data for e in acts])
    code = link.out.strip().rsplit("code=", 1)[1]
    assert code not in str([e.data for e in acts])
