"""The CPU time of the PostgreSQL backend serving this process's connection, for benches that run the app in process:
CPU time is far steadier than wall time on a shared machine. Linux only (/proc), and the server must be local."""

import os

TICKS = os.sysconf("SC_CLK_TCK")


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def backend_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
