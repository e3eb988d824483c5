"""Small utilities every layer may use: atomic file writes, image grids, sharded random draws,
numeric precision and the machine's name for records."""
