"""API keys: who may call, in which role and scopes."""
