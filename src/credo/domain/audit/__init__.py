"""The audit log: canonical bytes, Merkle trees (RFC 9162), leaves, signed tree heads and
attestations."""
