"""Names the reader does not know: an analyst's notes, or a typo of a name of the format.

Columns and sheets that the workbook format does not name are ignored, so that analysts
can keep notes beside their data. But a name that is a *near miss* of one the format
names is taken for a typo: ``reservaton`` for ``reservation``, ``Weight (seats)`` for
``weight``, ``Link`` for ``Links``. Read as a note, it would silently leave every cell of
the column at its default. A name is a near miss of a format name when, compared without
case, spaces, underscores, hyphens, dots or a trailing unit in brackets (its *key*):

* the keys are equal (``Payment Cap``, ``payment-cap``, ``Weight (seats)``);
* one key is the other's plural (``Link``, ``weights``, ``Scenario``);
* or the keys differ by at most one edit (an insertion, a deletion, a substitution or a
  swap of two neighbours) when the format name's key has 4 to 7 characters, and by at
  most two when it is longer (``wieght``, ``reservaton``, ``paymnet_efficency``). Keys
  of three characters or fewer (``to``, ``rel``) are only matched by the first two rules.

Every other unknown name is listed, never refused (:func:`describe_ignored`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_UNIT = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]\s*$")
_SEPARATORS = re.compile(r"[\s_\-.]+")


def key(name: str) -> str:
    """A name compared without case, separators or a trailing unit in brackets."""
    text = str(name).strip().lower()
    stripped = _UNIT.sub("", text)
    return _SEPARATORS.sub("", stripped or text)


def distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap neighbours) from ``a`` to ``b`` (optimal string alignment)."""
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


def _plural(a: str, b: str) -> bool:
    """Whether one key is the other's plural (-s, -es, -y/-ies)."""
    def of(single: str, many: str) -> bool:
        return many in (single + "s", single + "es") or (single.endswith("y") and many == single[:-1] + "ies")

    return of(a, b) or of(b, a)


def _edits_allowed(name_key: str) -> int:
    return 0 if len(name_key) <= 3 else 1 if len(name_key) <= 7 else 2


def near_misses(found: str, names: Iterable[str], least_edits: int = 0) -> list[str]:
    """The format names of which ``found`` is a near miss, closest first (none when it is one of them).

    ``least_edits`` allows that many edits even for short names (for hints in an error already reported).
    """
    names = list(names)
    text = str(found).strip().lower()
    if any(text == n.lower() for n in names):
        return []
    k = key(found)
    if not k:
        return []
    scored = []
    for n in names:
        nk = key(n)
        if k == nk:
            scored.append((0, n))
        elif _plural(k, nk):
            scored.append((1, n))
        else:
            d = distance(k, nk)
            if d <= max(least_edits, _edits_allowed(nk)):
                scored.append((d, n))
    return [n for _, n in sorted(scored, key=lambda pair: (pair[0], names.index(pair[1])))]


def suggestion(found: str, candidates: list[str], what: str) -> str:
    """``unknown column 'reservaton': did you mean 'reservation'?``"""
    options = " or ".join(repr(c) for c in candidates)
    return f"unknown {what} {str(found).strip()!r}: did you mean {options}?"


def describe_ignored(ignored: Iterable[str]) -> str:
    """One line listing what the reader ignored (the empty text when nothing)."""
    ignored = list(ignored)
    if not ignored:
        return ""
    return f"Not read by the planner ({len(ignored)}): " + "; ".join(ignored)
