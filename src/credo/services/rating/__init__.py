"""Scores, explanations, checks and lists, one subject at a time or the whole population."""
