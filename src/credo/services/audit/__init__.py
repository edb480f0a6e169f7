"""Trust that can be checked: the ledger against its signed Merkle log, the outside witness,
and the attestations a subject shows."""
