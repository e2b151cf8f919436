"""Electronic navigational charts (IHO S-57): import, tiles, display data."""
