"""The web portal (SPEC §8): server-rendered pages for subjects, the public, reviewers,
providers and operators, beside the API and calling the same services."""
