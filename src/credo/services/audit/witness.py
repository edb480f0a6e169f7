"""What an outside monitor runs (`credo audit witness`): it keeps the last signed tree head it
saw, and each time checks that the service's latest head is signed by a published key and
that the tree it signs grew from the one seen before, by the service's consistency proof. A
rewritten ledger cannot pass: its new tree does not contain the old one."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from credo.domain.audit.merkle import verify_consistency
from credo.domain.audit.tree_heads import TreeHead, b64url, from_b64url, head_fault
from credo.domain.errors import CredoError

Fetch = Callable[[str], Any]


class WitnessAlarm(CredoError):
    """The log forked, shrank, or showed a head that does not verify."""

    title = "The log cannot be trusted"


@dataclass(frozen=True, slots=True)
class Seen:
    head: TreeHead
    previous: TreeHead | None  # None the first time

    @property
    def grew_by(self) -> int:
        return self.head.tree_size - (self.previous.tree_size if self.previous else 0)


def fetch_json(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as e:
        detail = e.read()[:200].decode(errors="replace")
        raise CredoError(f"{url} answered {e.code}: {detail}") from e
    except (urllib.error.URLError, OSError) as e:
        raise CredoError(f"{url} could not be reached: {e}") from e


def witness(base: str, state_file: Path, fetch: Fetch = fetch_json) -> Seen:
    base = base.rstrip("/")
    keys = {k["kid"]: from_b64url(k["x"]) for k in fetch(f"{base}/.well-known/jwks.json")["keys"]}
    latest = TreeHead.from_json(fetch(f"{base}/v1/audit/sth"))
    state = json.loads(state_file.read_text()) if state_file.exists() else None
    previous = TreeHead.from_json(state["head"]) if state else None
    if state:
        keys |= {kid: from_b64url(x) for kid, x in state.get("keys", {}).items()}
    fault = head_fault(latest, keys)
    if fault:
        raise WitnessAlarm(f"the latest head (size {latest.tree_size}) does not verify: {fault}")
    if previous is not None:
        _grew(base, previous, latest, fetch)
    # Keys once published are remembered: a key that vanishes from the set cannot be used to
    # disown the heads it signed.
    known = {kid: b64url(raw) for kid, raw in keys.items()}
    state_file.write_text(json.dumps({"head": latest.to_json(), "keys": known}, indent=2))
    return Seen(latest, previous)


def _grew(base: str, before: TreeHead, now: TreeHead, fetch: Fetch) -> None:
    if now.tree_size < before.tree_size:
        raise WitnessAlarm(
            f"the log shrank: {now.tree_size} entries now, {before.tree_size} when last seen"
        )
    if now.tree_size == before.tree_size:
        if now.root_hash != before.root_hash:
            raise WitnessAlarm(
                f"fork: the head of size {now.tree_size} has root {now.root_hash.hex()}, "
                f"but {before.root_hash.hex()} when last seen"
            )
        return
    url = f"{base}/v1/audit/proof/consistency?first={before.tree_size}&second={now.tree_size}"
    try:
        proof = [bytes.fromhex(h) for h in fetch(url)["consistency_path"]]
    except CredoError as e:
        raise WitnessAlarm(f"fork: no consistency proof from the head last seen: {e}") from e
    if not verify_consistency(
        before.tree_size, now.tree_size, before.root_hash, now.root_hash, proof
    ):
        raise WitnessAlarm(
            f"fork: the tree of size {now.tree_size} does not contain the one of size "
            f"{before.tree_size} seen before (root {before.root_hash.hex()}): the ledger was "
            "rewritten"
        )
