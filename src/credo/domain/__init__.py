"""The pure core: subjects, records, packs, scoring, lists and measures. No I/O here."""
