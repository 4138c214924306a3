"""The service layer: what the entry points (api/, cli/) ask for, answered over the query catalogue."""
