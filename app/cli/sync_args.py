"""The arguments of `strongroom desk ...` and `strongroom sync ...` (kept apart from the
commands so that building the parser imports nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.cli.words import ROLE

AddOptions = Callable[[Any], None]


def add_parsers(sub: Any, common: AddOptions) -> None:
    """`common(p)` adds the vault, unlock and --debug options every subcommand takes."""
    top = sub.add_parser(
        "desk", help="the desk this vault syncs with: create, invite, join, devices, remove"
    )
    cmds = top.add_subparsers(dest="desk_command", metavar="ACTION", required=True)
    p = cmds.add_parser(
        "create",
        help="make this vault the first device of a new desk writing to TARGET; "
        "prints the desk as JSON",
    )
    p.add_argument(
        "--target",
        required=True,
        metavar="TARGET",
        help="folder:DIR, webdav:https://USER@HOST/PATH or s3:BUCKET[/PREFIX]; a WebDAV "
        "password comes from 'strongroom keys set webdav' or STRONGROOM_WEBDAV_PASSWORD, "
        "S3 keys from 'strongroom keys set s3 --with-secret' or the AWS variables",
    )
    p.add_argument("--endpoint", metavar="URL", help="an S3-compatible store's URL (MinIO, Ceph)")
    p.add_argument("--name", default="Desk", help="the desk's name (default: Desk)")
    common(p)
    p = cmds.add_parser("devices", help="the desk's devices, one JSON object per line")
    common(p)
    p = cmds.add_parser(
        "invite",
        help="write an invitation for a new member (admins only); prints the file, the "
        "one-time code to give them separately and when it expires",
    )
    p.add_argument("member", metavar="NAME", help="the new member's name")
    p.add_argument(
        "--role",
        action="append",
        required=True,
        type=ROLE,
        metavar="ROLE",
        help=f"a role (repeatable): {ROLE.listed()}",
    )
    p.add_argument("--to", required=True, metavar="FILE", help="a new invitation file")
    common(p)
    p = cmds.add_parser(
        "join",
        help="make this vault a device of the desk an invitation names, as its member; "
        "from then on commands act as that member",
    )
    p.add_argument("file", metavar="FILE", help="an invitation written by 'desk invite'")
    p.add_argument("--code", required=True, metavar="CODE", help="the one-time code given with it")
    common(p)
    p = cmds.add_parser(
        "remove",
        help="remove a device, or every device of a member (admins only, signed); the "
        "desk key turns so they cannot read what is written afterwards",
    )
    p.add_argument("who", metavar="DEVICE_OR_MEMBER", help="a device id or a member's name")
    common(p)

    top = sub.add_parser("sync", help="share events with the desk's other devices")
    cmds = top.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    p = cmds.add_parser(
        "run",
        help="push this device's new events and pull the others'; the last line is JSON "
        "with pushed, pulled, applied, quarantined and state",
    )
    common(p)
    p = cmds.add_parser(
        "status", help="state, last sync, what waits to be shared, quarantined files (JSON)"
    )
    common(p)
    p = cmds.add_parser(
        "export", help="write this device's segments to one bundle file (air-gapped desks)"
    )
    p.add_argument("--to", required=True, metavar="FILE", help="a new bundle file")
    common(p)
    p = cmds.add_parser("import", help="take what a bundle file holds, with a target's checks")
    p.add_argument("file", metavar="FILE", help="a bundle written by 'sync export'")
    common(p)
