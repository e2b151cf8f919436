"""NMEA 0183 framing: sentences, checksums, IEC 61162-450 tag blocks, wrappers, receiver stamps.

The AIS stream decoder (``giamsat.maritime.ais.stream``) builds on these pieces; they are
usable alone for any NMEA text (``split_line`` then ``parse_sentence``).
"""

from giamsat.maritime.nmea.checksum import checksum
from giamsat.maritime.nmea.line import Item, split_line
from giamsat.maritime.nmea.sentence import Sentence, parse_sentence
from giamsat.maritime.nmea.tagblock import TagBlock, parse_tag_block

__all__ = [
    "Item",
    "Sentence",
    "TagBlock",
    "checksum",
    "parse_sentence",
    "parse_tag_block",
    "split_line",
]
