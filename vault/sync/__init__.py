"""Desk sync's tables (schema 10): the desk and keys, devices, targets, cursors,
outgoing segments, received events with their receipts, quarantine and log.

Plain SQL over a connection the caller holds (inside its transaction where it
writes); the rules live in `app.sync`.
"""
