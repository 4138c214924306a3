"""211 resource-database exports (iCarol/AIRS-style wide CSV): one row per agency, site, program
or program-at-site."""

from loaders.airs211.parse import FORMAT, Parse211Result, parse_211

__all__ = ["FORMAT", "Parse211Result", "parse_211"]
