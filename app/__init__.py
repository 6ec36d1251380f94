"""Use cases and domain types: no Qt widgets, no SQL, no HTTP."""
