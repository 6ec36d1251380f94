#!/usr/bin/env bash
# Set everything up and run the whole test suite (the README's test command).
# Qt runs offscreen; the keychain tests start their own D-Bus session and
# gnome-keyring, so nothing here needs a desktop session.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/bootstrap.sh --test
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q "$@"
