"""What PostgreSQL's plan for a query does with one table: for tests that a lookup probes the index it was built for."""

from django.db import connection


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _index_of(node: dict) -> str | None:
    """The index a scan reads: its own, or for a bitmap heap scan the index (or indexes, joined by " + ") that the
    bitmap index scans under it read."""
    if node["Node Type"] != "Bitmap Heap Scan":
        return node.get("Index Name")
    return " + ".join(sorted(n["Index Name"] for n in _nodes(node) if n["Node Type"] == "Bitmap Index Scan"))


def scans_of(sql: str, relation: str) -> set[tuple[str, str | None]]:
    """(node type, index name) of each node of `sql`'s plan that reads `relation`, planned on this connection now
    (inside the caller's transaction, with its SET LOCAL costs)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]["Plan"]
    return {(n["Node Type"], _index_of(n)) for n in _nodes(plan) if n.get("Relation Name") == relation}
