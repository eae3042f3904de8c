#!/bin/sh
# Create the virtualenv. Debian and Ubuntu ship Python without venv/ensurepip: install it when missing.
set -eu
PYTHON="$1"; VENV="$2"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is required ($PYTHON is older)." >&2; exit 1; }
if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    pkg="python3-venv"
    version=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt-cache show "python$version-venv" >/dev/null 2>&1 && pkg="python$version-venv"
    echo "Installing $pkg (Python's venv module) with apt-get ..." >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg"
    "$PYTHON" -m venv "$VENV"
fi
