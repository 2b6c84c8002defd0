"""Stage names that look like a win but are in no outcome list: a bonus at risk.

An unknown stage is counted as open (SPEC). When the name looks like a win ("Closed Wno",
"Won - pending") the rep may be owed a bonus on it, so it is reported row by row, loudly.
Compared in the normalised form (lowercase letters and digits only).
"""

from __future__ import annotations

from collections.abc import Iterable

from reporter.vocabulary import normalise

# Words that make a "won" stage a loss after all ("Won't buy", "Lost - won by competitor").
_NOT_A_WIN = ("wont", "lost", "notwon", "didnt")


def looks_won(key: str, won_keys: Iterable[str]) -> bool:
    """True for a stage key containing "won", or one typo away from a won stage."""
    if not key or any(word in key for word in _NOT_A_WIN):
        return False
    if "won" in key:
        return True
    return any(len(won) >= 5 and _distance(key, won) <= 2 for won in won_keys)


def typo_of(key: str, won_names: Iterable[str]) -> str | None:
    """The configured won stage ``key`` is one typo away from ("Closed Won" for
    "closedwno"), or None when it is no near miss (a new name such as "Won - pending")."""
    near = [(d, name) for name in won_names if (d := _distance(key, normalise(name))) <= 2]
    return min(near)[1] if near else None


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbours as one edit ("wno" ↔ "won")."""
    if abs(len(a) - len(b)) > 2:
        return 3
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
