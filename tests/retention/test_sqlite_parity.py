"""The SQLite refresh (the embedded default) derives the same attributes as the PostgreSQL one.

The suite runs on PostgreSQL; the same store is built and refreshed in a child process on a fresh SQLite file
(migrated there), and the rows are compared."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from retention.services.segments import attributes_refresh

from .parity_data import NOW, attributes, build

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.retention.parity_data import NOW, attributes, build
from retention.services.segments import attributes_refresh
store = build()
attributes_refresh(store=store, now=NOW)
print(json.dumps(attributes(store)))
"""


def test_sqlite_and_postgresql_derive_the_same_attributes(tmp_path):
    store = build()
    attributes_refresh(store=store, now=NOW)
    on_postgres = attributes(store)

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'parity.sqlite3'}", "VAR_DIR": str(tmp_path)}
    child = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=600)  # fmt: skip
    assert child.returncode == 0, child.stderr[-3000:]
    on_sqlite = json.loads(child.stdout.strip().splitlines()[-1])

    def normal(rows):  # SQLite keeps 4000 where PostgreSQL keeps 4000.00
        return [[(f"{float(v):.2f}" if v and v.replace(".", "", 1).isdigit() and "." in v else v) for v in r]
                for r in rows]  # fmt: skip

    assert normal(on_sqlite) == normal(on_postgres)
    assert on_postgres[0][:5] == ["3", "12000.00", "143", "60", "83"]
    assert on_postgres[5][:2] == ["3", "969.97"]  # 710 + 259.97 (33.33 euros at 7.80), the pounds not counted
