"""The SQLite refresh (the embedded default) derives the same attributes as the PostgreSQL one.

The suite runs on PostgreSQL; the same store is built and refreshed in a child process on a fresh SQLite file
(migrated there), and the rows are compared."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm.birthdays import age_on
from crm.timezones import store_today
from retention.services.segments import attributes_refresh

from .parity_data import AGE_BIRTHDAYS, AGE_NOWS, NOW, ages, attributes, build, build_ages

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.retention.parity_data import NOW, ages, attributes, build, build_ages
from retention.services.segments import attributes_refresh
%s
"""


def _on_sqlite(tmp_path, code: str):
    """What `code` prints last (JSON), run after building and migrating a fresh SQLite database."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'parity.sqlite3'}", "VAR_DIR": str(tmp_path)}
    child = subprocess.run([sys.executable, "-c", CHILD % code], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=600)  # fmt: skip
    assert child.returncode == 0, child.stderr[-3000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


def test_sqlite_and_postgresql_derive_the_same_attributes(tmp_path):
    store = build()
    attributes_refresh(store=store, now=NOW)
    on_postgres = attributes(store)

    on_sqlite = _on_sqlite(tmp_path, "store = build(); attributes_refresh(store=store, now=NOW); "
                                     "print(json.dumps(attributes(store)))")  # fmt: skip

    def normal(rows):  # SQLite keeps 4000 where PostgreSQL keeps 4000.00
        return [[(f"{float(v):.2f}" if v and v.replace(".", "", 1).isdigit() and "." in v else v) for v in r]
                for r in rows]  # fmt: skip

    assert normal(on_sqlite) == normal(on_postgres)
    assert on_postgres[0][:5] == ["3", "12000.00", "143", "60", "83"]
    assert on_postgres[5][:2] == ["3", "969.97"]  # 710 + 259.97 (33.33 euros at 7.80), the pounds not counted


def test_both_databases_count_ages_as_the_birthday_wishes_gifts_and_letters_do(tmp_path):
    # Born on Feb 29: a year older on Feb 28 in a year without one (crm.birthdays.age_on), on the store's day.
    # Born after the store's today (the order API takes a birthday up to the latest today on Earth): 0.
    store = build_ages()
    expected = [
        [None if born is None else max(age_on(born, store_today(store, now=now)), 0) for born in AGE_BIRTHDAYS]
        for now in AGE_NOWS
    ]
    assert expected[1][0] == 35 and expected[0][0] == 34  # 35 from 00:00 on Feb 28 2027 in Shanghai

    assert ages(store) == expected
    assert _on_sqlite(tmp_path, "print(json.dumps(ages(build_ages())))") == expected
