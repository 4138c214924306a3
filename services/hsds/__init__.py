"""HSDS documents: listing, serializing, exporting and snapshotting them."""
