"""Delivery: watch an inbox folder, keep a ledger, e-mail each manager their briefing.

``manifest`` (``delivery.json``: who gets which briefing of a run), ``ledger`` (SQLite
record of inputs and messages: never send twice), ``send`` (one run's messages) and
``status`` (the ledger as data); ``message/`` builds a message (``compose``,
``recipients``); ``transports/`` carries it (``smtp``, ``outbox``); ``watch/`` is the folder
watcher (the loop, ``inbox`` files, ``lock``). Click lives in ``reporter.cli``; heavy
imports (watchdog) happen inside the functions that need them.
"""
