"""Records taken in: from files (`ingest`) and through the API (`records_api`)."""
