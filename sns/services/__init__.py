"""Use cases: authorize -> moderate -> write (rows + journal, one transaction) -> publish."""
