"""SQL for the customer book. Plain values in, plain values out: no app types."""
