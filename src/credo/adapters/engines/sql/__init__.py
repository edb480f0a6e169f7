"""The population engines' SQL: the rule IR compiled through sqlglot (`rules`), the ledger's
columns, and each stage's query (`ledger`, `judged`, `lists`, `population`, and the fold's
`judge`)."""
