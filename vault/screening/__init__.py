"""SQL for screening: the offline sanctions lists. Plain values in, plain values out."""
