#!/bin/sh
# The letters' print batch (letters.printing) is laid out by WeasyPrint, which needs Pango (with its FreeType
# backend), HarfBuzz's subsetter (fast font embedding) and a CJK font so Chinese letters print in Noto, the same on
# any printer. Install them from Debian's packages when missing. (docs/decisions/0016-letters-pdf-weasyprint.md)
set -eu
missing=""
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_lib libpango-1.0.so.0 || missing="libpango-1.0-0"
has_lib libpangoft2-1.0.so.0 || missing="$missing libpangoft2-1.0-0"
has_lib libharfbuzz-subset.so.0 || missing="$missing libharfbuzz-subset0"
fc-list :lang=zh 2>/dev/null | grep -q . || missing="$missing fonts-noto-cjk"
[ -z "$missing" ] && exit 0
echo "Installing $missing with apt-get ..." >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
# shellcheck disable=SC2086 (a list of package names)
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
