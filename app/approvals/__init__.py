"""Approval queues: requests judged by a YAML policy and signed decisions (issue 5)."""
