"""The synthetic population: records for demos, benchmarks and tests, drawn from a rulebook."""
