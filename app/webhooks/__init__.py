"""Webhooks: endpoints with a secret each, events queued in the outbox, signed deliveries.

- `events`: the event types, `enqueue` for services (alert.raised), the body sent;
- `endpoints`: add (secret shown once), list, remove, test;
- `signing`: the Standard Webhooks secret and signature;
- `delivery`: draining the outbox's webhook items (network thread, vault via `db`).
"""
