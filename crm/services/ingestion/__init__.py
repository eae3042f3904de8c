"""Set-based writes for what order systems push: a 1,000-row batch is a handful of statements, not 1,000 saves.

Rows arrive validated (crm/api/rows.py); these services only write. Each batch is sent to PostgreSQL as one
JSON document and unpacked with json_to_recordset, so the statement text stays the same size whatever the
batch size and PostgreSQL parses the values, not Python.
"""
