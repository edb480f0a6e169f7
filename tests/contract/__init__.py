"""One suite of behaviours that every ledger store passes."""
