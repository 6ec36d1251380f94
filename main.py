"""Strongroom's entry point: `python main.py` or the installed `strongroom` command.

Without a subcommand it starts the desktop app; with one it runs headless
(see `strongroom --help`). Qt is imported only for the GUI, so scripts start fast.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.cli.parser import build_parser

    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "dashboard":
        from app.cli import run
        from ui.dashboards.render import write_png  # Qt only for the charts

        return run(args, png=write_png)
    if args.command == "cases":
        from app.cli import run
        from ui.cases.pdf import write_pdf  # Qt only for the report

        return run(args, pdf=write_pdf)
    if args.command is not None:
        from app.cli import run

        return run(args)
    from ui.application import run_gui

    return run_gui(vault=args.gui_vault, demo=args.demo, debug=args.debug)


if __name__ == "__main__":
    sys.exit(main())
