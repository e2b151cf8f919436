"""giamsat: remote monitoring of environmental stations (TT10) and maritime AIS/ENC assets."""

__version__ = "0.1.0"
