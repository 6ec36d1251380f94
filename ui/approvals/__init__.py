"""The Approvals section: the queue, the evidence, decisions, requests and the policy."""
