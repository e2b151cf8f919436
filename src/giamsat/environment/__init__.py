"""Environmental monitoring: TT10 files from automatic stations (Circular 10/2021/TT-BTNMT)."""
