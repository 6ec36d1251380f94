"""Desk sync: the file formats and the rules, as pure functions (no vault, no network).

- `keys`: desk keys, device keys and ids, a desk key sealed to one device.
- `container`: the one sealed and signed file format every sync file uses.
- `segments`: a device's numbered segments of events, and the checks a pulled
  one must pass (or the reason it is quarantined).
- `announce`: the file in which a device publishes its keys and member.
- `cursor`: what a target's listing says against what was seen there before.
- `invite`: the invitation file and its one-time code.

And the flows over a vault: `desk` (create), `inviting` and `join` (desk
invite and join), `adopt` (a joined member learnt from its announcement),
`removal` (desk remove and the desk key's rotation), `push`, `pull`, `run`.

Transports (folder, WebDAV, S3) are in `integrations.sync`.
"""
