#!/bin/sh
# Browser tests drive Debian's Chromium (never a downloaded browser) and screenshot Chinese pages,
# which need a CJK font. Install both from Debian's packages when missing.
set -eu
missing=""
{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || missing="chromium chromium-driver"
fc-list :lang=zh 2>/dev/null | grep -q . || missing="$missing fonts-noto-cjk"
[ -z "$missing" ] && exit 0
echo "Installing $missing with apt-get ..." >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
# shellcheck disable=SC2086 (a list of package names)
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
