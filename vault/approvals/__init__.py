"""Approvals storage: members, grants, requests, decisions and policy versions (m0005)."""
