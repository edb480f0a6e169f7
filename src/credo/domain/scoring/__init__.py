"""Scoring: a subject's score and tier on a date, list entries, measures, explanations, and the fold
over judged records."""
