"""Graph ids of a 211 export's records: `{namespace}:{kind}:{number}`.

Resource numbers collide between centres' exports, so every record id carries the dataset's
namespace; the same export loaded again gets the same ids (a load merges onto its nodes).
Taxonomy terms and languages are a shared vocabulary and are not namespaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def check_namespace(namespace: str) -> str:
    """The namespace, or ValueError when it could not keep ids apart (empty, ":" or spaces)."""
    if not namespace or not re.fullmatch(r"[A-Za-z0-9_.-]+", namespace):
        raise ValueError(f"namespace {namespace!r}: use letters, digits, '.', '_' or '-' (the dataset id)")
    return namespace


def slug(text: str) -> str:
    """`Ward 6` -> `ward-6`: a name as an id part, case and punctuation blind."""
    return re.sub(r"[^0-9a-z]+", "-", text.casefold()).strip("-") or "-"


@dataclass(frozen=True)
class Ids:
    namespace: str

    def organization(self, number: str) -> str:
        return f"{self.namespace}:organization:{number}"

    def service(self, number: str) -> str:
        return f"{self.namespace}:service:{number}"

    def location(self, number: str) -> str:
        return f"{self.namespace}:location:{number}"

    def address(self, number: str, kind: str) -> str:
        return f"{self.namespace}:address:{number}:{kind}"

    def service_at_location(self, number: str) -> str:
        return f"{self.namespace}:service-at-location:{number}"

    def phone(self, number: str, slot: str) -> str:
        return f"{self.namespace}:phone:{number}:{slot}"

    def contact(self, number: str, role: str) -> str:
        return f"{self.namespace}:contact:{number}:{role}"

    def schedule(self, number: str, index: int) -> str:
        return f"{self.namespace}:schedule:{number}:{index}"

    def service_area(self, name: str) -> str:
        return f"{self.namespace}:service-area:{slug(name)}"

    def required_document(self, number: str) -> str:
        return f"{self.namespace}:required-document:{number}"
