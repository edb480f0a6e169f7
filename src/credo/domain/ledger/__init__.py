"""The ledger's vocabulary: subjects, records, ids and references, and the entries that hold them;
intake checks a record against its type."""
