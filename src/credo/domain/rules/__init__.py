"""Rulebooks: packs as written and checked, the rule IR and its conditions, record field types, the
grounds SPEC §5 refuses, and the no-harsher-after-the-fact check."""
