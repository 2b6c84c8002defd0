"""Delivery: watch an inbox folder, keep a ledger, e-mail each manager their briefing.

Modules: ``watch`` (the folder watcher), ``inbox`` (which files, when ready, where they go),
``lock`` (one watcher per inbox), ``ledger`` (SQLite record of inputs and messages),
``manifest`` (``delivery.json`` in each run folder), ``recipients``, ``mail`` (building a
message), ``smtp`` and ``outbox`` (transports), ``send`` and ``status`` (what the CLI calls).
Heavy imports (watchdog) happen inside the functions that need them.
"""
