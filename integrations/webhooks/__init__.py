"""Sending webhook deliveries over HTTP (the signing and queueing are in app.webhooks)."""
