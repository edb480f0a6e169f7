"""Use cases and read-models of the web portal (SPEC §8) that the API does not need."""
