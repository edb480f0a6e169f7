"""The audit log on the wire (SPEC §9): signed tree heads, proofs, the published keys. Hashes
are lower-case hex; signatures and keys base64url, as JOSE writes them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from credo.domain.audit.tree_heads import TreeHead

HEX = "Lower-case hex of a SHA-256 hash."


class TreeHeadRead(BaseModel):
    tree_size: int = Field(description="How many entries the tree holds.")
    root_hash: str = Field(description="The tree's root (RFC 9162 §2.1). " + HEX)
    timestamp: str = Field(description="When it was signed (RFC 3339, UTC).")
    key_id: str = Field(description="The signing key: hex SHA-256 of its raw public key.")
    signature: str = Field(
        description="Ed25519 over the RFC 8785 JSON of the four fields above, base64url."
    )

    @classmethod
    def of(cls, head: TreeHead) -> TreeHeadRead:
        return cls.model_validate(head.to_json())


class InclusionProofRead(BaseModel):
    leaf_index: int = Field(description="The entry's place in the ledger, from 0.")
    tree_size: int = Field(description="The size of the signed tree the proof is for.")
    leaf_hash: str = Field(description="SHA-256(0x00 || the entry's canonical bytes). " + HEX)
    audit_path: list[str] = Field(description="RFC 9162 §2.1.3 inclusion path, leaf upwards.")


class ConsistencyProofRead(BaseModel):
    first: int = Field(description="The earlier tree size.")
    second: int = Field(description="The later tree size.")
    consistency_path: list[str] = Field(description="RFC 9162 §2.1.4 consistency proof.")


class JwkRead(BaseModel):
    kty: str = Field(description="`OKP`.")
    crv: str = Field(description="`Ed25519`.")
    x: str = Field(description="The raw public key, base64url.")
    kid: str = Field(description="Hex SHA-256 of the raw public key.")
    alg: str = Field(description="`Ed25519`.")
    use: str = Field(description="`sig`.")


class JwksRead(BaseModel):
    keys: list[JwkRead] = Field(description="Every key the service has signed with, old ones too.")
