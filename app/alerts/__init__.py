"""Alerts: rules over what the vault holds, raised once per rule and subject until
they clear, acknowledged, snoozed or turned into tasks (issue 12)."""
