"""Ohana API CSV export parser (Code for America's import format, as 211 and BCHD exports use it)."""

from loaders.ohana.crosswalk import CrosswalkEntry
from loaders.ohana.parse import OhanaResult, is_ohana_folder, parse_ohana

__all__ = ["CrosswalkEntry", "OhanaResult", "is_ohana_folder", "parse_ohana"]
