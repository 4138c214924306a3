"""Mapped loading (docs/mapping.md): any directory CSV into HSDS 3.0 records through a declarative mapping."""

from loaders.mapped.parse import MappedResult, parse_mapped
from loaders.mapped.spec import MappingError, read_mapping

__all__ = ["MappedResult", "MappingError", "parse_mapped", "read_mapping"]
