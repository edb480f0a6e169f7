"""The HTTP API (SPEC §7): `create_app(context)` builds it; `credo serve` runs it."""
