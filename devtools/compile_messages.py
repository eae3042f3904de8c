"""Compile every locale/*/LC_MESSAGES/*.po into .mo with polib, so no GNU gettext is needed to run."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def compile_all(root: Path = ROOT) -> int:
    count = 0
    for po_path in [*root.glob("locale/*/LC_MESSAGES/*.po"), *root.glob("*/locale/*/LC_MESSAGES/*.po")]:
        catalog = polib.pofile(str(po_path))
        seen: set[tuple[str | None, str]] = set()
        # Catalogs merge by union (.gitattributes): keep the first translation of a repeated entry.
        for entry in list(catalog):
            key = (entry.msgctxt, entry.msgid)
            if key in seen:
                catalog.remove(entry)
            seen.add(key)
        catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    return count


if __name__ == "__main__":
    print(f"compiled {compile_all()} message catalogs", file=sys.stderr)
