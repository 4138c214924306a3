"""Graph ids of a dataset's records: `{namespace}:{kind}:{source id}`.

Source ids (`1`, `139776`) collide between datasets, so each record's graph id carries the dataset's
namespace (`baltimore-211:service:143903`); the same dataset loaded again gets the same ids (a load
merges onto its nodes). Vocabulary (taxonomy terms, languages) is shared and is not namespaced.
"""

from __future__ import annotations

import re
from typing import Final

_NAMESPACE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def check_namespace(namespace: str) -> str:
    """The namespace, or ValueError when it could not keep ids apart (empty, a `:`, spaces)."""
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(f"namespace {namespace!r}: use letters, digits, '.', '_' or '-', starting with a letter "
                         "or digit (the dataset id, e.g. 'baltimore-211')")
    return namespace


def slug(text: str) -> str:
    """`Ward 6` -> `ward-6`: a name as an id part, case and punctuation blind."""
    return re.sub(r"[^0-9a-z]+", "-", text.casefold()).strip("-") or "-"
