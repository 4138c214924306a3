"""Graph ids of a 211 export's records: `{namespace}:{kind}:{number}` (`loaders.toolkit.ids`), with
the kinds and parts a 211 record's ids have."""

from __future__ import annotations

from dataclasses import dataclass

from loaders.toolkit.ids import check_namespace, slug


@dataclass(frozen=True)
class Ids:
    """Makes the graph ids of one export (`loaders.toolkit.ids`)."""

    namespace: str

    def __post_init__(self) -> None:
        check_namespace(self.namespace)

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
