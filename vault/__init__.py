"""The encrypted store: keys, schema, repositories and the event log (no Qt, no app imports)."""
