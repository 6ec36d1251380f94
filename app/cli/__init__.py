"""The headless `strongroom <subcommand>` commands, over the same use cases as the GUI."""

from app.cli.main import run

__all__ = ["run"]
