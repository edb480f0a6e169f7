"""Rule packs: checking their text, adopting versions, and the rulebook they make."""
