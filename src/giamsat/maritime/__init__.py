"""Maritime monitoring: AIS (NMEA 0183) vessels and aids-to-navigation, ENC charts."""
