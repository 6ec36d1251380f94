#!/usr/bin/env bash
# Set up Strongroom from a fresh checkout on Debian/Ubuntu with Python 3.11+.
#
#   bash packaging/bootstrap.sh          # the app
#   bash packaging/bootstrap.sh --test   # the app, test tools, keychain and X server for tests
#
# As root it installs the system libraries Qt needs (and, with --test,
# gnome-keyring, dbus and Xvfb). Otherwise it names the missing ones and the
# exact apt-get line to run. Then it makes .venv and installs the pinned
# versions from packaging/constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

# What PySide6's xcb and offscreen platforms load, plus a font and venv support.
packages=(
  python3-venv libegl1 libgl1 libglib2.0-0 libdbus-1-3 libfontconfig1 fonts-dejavu-core
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-shape0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-randr0
)
if [ "$with_tests" = 1 ]; then
  packages+=(gnome-keyring dbus xvfb xauth)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Strongroom needs Python 3.11 or newer; $python is $("$python" --version 2>&1)." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
extra=""
[ "$with_tests" = 1 ] && extra="[test]"
.venv/bin/python -m pip install -q -c packaging/constraints.txt -e ".${extra}"
echo "Strongroom is installed in .venv (run .venv/bin/strongroom --help)."
