"""Periodic reviews of customers: the policy, the due list, recording a signed review."""
