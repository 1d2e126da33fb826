"""Bulk import of treaties (``manage.py import_catalogue``) and the record format it shares with the exports.

* ``records``: the import record (one dict per treaty) and ``treaty_to_record``.
* ``csvformat``: how a record is flattened into one CSV row and back.
* ``readers``: streaming readers for CSV, JSON and JSON Lines files, with line numbers.
* ``catalogue.services.import_records``: the all-or-nothing, batched import itself.

The format is documented in ``docs/import-format.md``.
"""
