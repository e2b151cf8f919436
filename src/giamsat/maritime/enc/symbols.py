"""Our own chart symbols: buoys, beacons, topmarks, light flares, dangers — as SVG and as a sprite.

Each symbol id (computed per feature at import, see portrayal.symbol_id) fully describes the
drawing: ``boy-conical-3.4.3-1`` is a conical buoy banded red/green/red horizontally. Shapes are
simple paper-chart (INT 1) outlines drawn by us; colours come from the palette, so DAY, DUSK and
NIGHT sprites are generated from the same definitions. PNGs are drawn with Pillow (4x
supersampled), SVG is written directly; nothing depends on a system renderer.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache

from PIL import Image, ImageDraw
from shapely.geometry import Polygon, box

from giamsat.maritime.enc.display import colours, s57_colour_token

SIZE = 32
TOP = 24  # topmark images


@dataclass
class Shape:
    kind: str  # poly | circle | line
    pts: list[tuple[float, float]] = field(default_factory=list)
    fill: str | None = None  # colour token
    stroke: str | None = "CHBLK"
    width: float = 1.0
    r: float = 0.0


BUOY_BODIES = {
    "conical": [(8, 28), (16, 9), (24, 28)],
    "can": [(9, 28), (10, 13), (22, 13), (23, 28)],
    "pillar": [(11, 28), (14, 6), (18, 6), (21, 28)],
    "spar": [(14, 28), (14, 4), (18, 4), (18, 28)],
    "barrel": [(7, 26), (9, 19), (23, 19), (25, 26), (22, 28), (10, 28)],
    "super": [(4, 28), (5, 20), (27, 20), (28, 28)],
    "ice": [(11, 28), (14, 6), (18, 6), (21, 28)],
}
BEACON_BODIES = {
    "tower": [(10, 30), (13, 8), (19, 8), (22, 30)],
    "lattice": [(10, 30), (14, 8), (18, 8), (22, 30)],
    "pile": [(13, 30), (13, 10), (19, 10), (19, 30)],
    "cairn": [(8, 30), (16, 14), (24, 30)],
    "buoyant": [(11, 30), (14, 8), (18, 8), (21, 30)],
}
TOPMARKS: dict[str, list[list[tuple[float, float]]]] = {
    "cone-up": [[(6, 20), (12, 8), (18, 20)]],
    "cone-down": [[(6, 8), (18, 8), (12, 20)]],
    "cylinder": [[(7, 8), (17, 8), (17, 20), (7, 20)]],
    "board": [[(5, 9), (19, 9), (19, 19), (5, 19)]],
    "square": [[(7, 8), (17, 8), (17, 18), (7, 18)]],
    "rhombus": [[(12, 4), (19, 13), (12, 22), (5, 13)]],
    "cube": [[(12, 5), (18, 12), (12, 19), (6, 12)]],
    "cones-points": [[(6, 2), (18, 2), (12, 11)], [(6, 22), (12, 13), (18, 22)]],
    "cones-bases": [[(12, 2), (6, 11), (18, 11)], [(6, 13), (18, 13), (12, 22)]],
    "cones-up": [[(6, 11), (12, 2), (18, 11)], [(6, 22), (12, 13), (18, 22)]],
    "cones-down": [[(6, 2), (18, 2), (12, 11)], [(6, 13), (18, 13), (12, 22)]],
}


def _circle(cx: float, cy: float, r: float, n: int = 24) -> list[tuple[float, float]]:
    return [
        (cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n))
        for k in range(n)
    ]


def _banded(body: list[tuple[float, float]], codes: list[str], pattern: str) -> list[Shape]:
    """Split a body into colour bands (COLPAT 1 horizontal, 2 vertical; else horizontal)."""
    poly = Polygon(body)
    if not codes:
        return [Shape("poly", body, fill="CHGRF")]
    x0, y0, x1, y1 = poly.bounds
    out: list[Shape] = []
    n = len(codes)
    for i, code in enumerate(codes):
        if pattern == "2":
            band = box(x0 + (x1 - x0) * i / n, y0, x0 + (x1 - x0) * (i + 1) / n, y1)
        else:
            band = box(x0, y0 + (y1 - y0) * i / n, x1, y0 + (y1 - y0) * (i + 1) / n)
        part = poly.intersection(band)
        for g in getattr(part, "geoms", [part]):
            if g.geom_type == "Polygon" and not g.is_empty:
                out.append(
                    Shape("poly", list(g.exterior.coords), fill=s57_colour_token(code), stroke=None)
                )
    out.append(Shape("poly", body, fill=None, stroke="CHBLK", width=1.0))
    return out


def _flare(token: str) -> list[Shape]:
    cx = cy = SIZE / 2
    ang = math.radians(45)  # 135° from north = towards the lower right on screen
    ux, uy = math.cos(ang), math.sin(ang)
    tip = (cx + ux * 11, cy + uy * 11)
    r = 3.6
    pts = [(cx, cy)]
    base = math.atan2(uy, ux)
    for k in range(-7, 8):
        a = base + k * math.pi / 8 * 1.0
        pts.append((tip[0] + r * math.cos(a), tip[1] + r * math.sin(a)))
    return [Shape("poly", pts, fill=token, stroke="CHBLK", width=0.7)]


def definition(symbol: str) -> tuple[int, list[Shape]]:
    """Image size and shapes for a symbol id (unknown ids give a question-mark circle)."""
    parts = symbol.split("-")
    kind = parts[0]
    if kind == "boy" and len(parts) >= 4:
        shape, codes, pattern = parts[1], [c for c in parts[2].split(".") if c != "x"], parts[3]
        body = BUOY_BODIES.get(shape)
        if shape == "spherical":
            body = _circle(16, 21, 7.5)
        body = body or BUOY_BODIES["pillar"]
        shapes = _banded(body, codes, pattern)
        if shape == "super":
            shapes.append(Shape("line", [(16, 20), (16, 8)], stroke="CHBLK", width=2))
        shapes.append(Shape("line", [(4, 30), (28, 30)], stroke="CHBLK", width=1))
        shapes.append(Shape("circle", [(16, 30)], r=1.6, fill="CHBLK"))
        return SIZE, shapes
    if kind == "bcn" and len(parts) >= 4:
        shape, codes, pattern = parts[1], [c for c in parts[2].split(".") if c != "x"], parts[3]
        if shape in ("stake", "withy"):
            token = s57_colour_token(codes[0]) if codes else "CHBLK"
            shapes = [Shape("line", [(16, 30), (16, 5)], stroke=token, width=3)]
            if shape == "withy":
                shapes += [
                    Shape("line", [(16, 12), (11, 7)], stroke=token, width=1.5),
                    Shape("line", [(16, 12), (21, 7)], stroke=token, width=1.5),
                ]
        else:
            shapes = _banded(BEACON_BODIES.get(shape, BEACON_BODIES["pile"]), codes, pattern)
            if shape == "lattice":
                shapes.append(Shape("line", [(11, 28), (19, 10)], width=0.8))
                shapes.append(Shape("line", [(21, 28), (13, 10)], width=0.8))
        shapes.append(Shape("circle", [(16, 30)], r=1.6, fill="CHBLK"))
        return SIZE, shapes
    if kind == "top" and len(parts) >= 3:
        shape = "-".join(parts[1:-1])
        codes = [c for c in parts[-1].split(".") if c != "x"]
        fill = s57_colour_token(codes[0]) if codes else "CHBLK"
        if shape == "sphere":
            return TOP, [Shape("poly", _circle(12, 14, 6), fill=fill)]
        if shape == "spheres":
            return TOP, [
                Shape("poly", _circle(12, 7, 4.5), fill=fill),
                Shape("poly", _circle(12, 18, 4.5), fill=fill),
            ]
        if shape in ("x", "cross"):
            a, b = ((5, 5), (19, 19)) if shape == "x" else ((12, 3), (12, 21))
            c, d = ((19, 5), (5, 19)) if shape == "x" else ((3, 12), (21, 12))
            return TOP, [
                Shape("line", [a, b], stroke=fill, width=3),
                Shape("line", [c, d], stroke=fill, width=3),
            ]
        polys = TOPMARKS.get(shape, TOPMARKS["square"])
        return TOP, [Shape("poly", p, fill=fill) for p in polys]
    if kind == "light" and len(parts) == 2:
        return SIZE, _flare(parts[1])
    if kind == "daymark":
        codes = [c for c in parts[1].split(".") if c != "x"] if len(parts) > 1 else []
        return TOP, _banded([(6, 6), (18, 6), (18, 18), (6, 18)], codes, "1")
    if symbol == "wreck":
        return SIZE, [
            Shape("line", [(5, 16), (27, 16)], width=2),
            *[Shape("line", [(x, 10), (x, 22)], width=1.5) for x in (10, 16, 22)],
        ]
    if symbol == "rock":
        return SIZE, [
            Shape("line", [(16, 7), (16, 25)], width=1.5),
            Shape("line", [(7, 16), (25, 16)], width=1.5),
            *[
                Shape("circle", [(16 + dx, 16 + dy)], r=1.4, fill="CHBLK")
                for dx in (-5, 5)
                for dy in (-5, 5)
            ],
        ]
    if symbol == "obstruction":
        return SIZE, [Shape("poly", _circle(16, 16, 8), fill=None, stroke="CHBLK", width=1.2)]
    if symbol == "danger":
        return SIZE, [
            Shape("poly", _circle(16, 16, 9), fill=None, stroke="ISDNG", width=2.2),
            Shape("line", [(10, 10), (22, 22)], stroke="ISDNG", width=2.2),
            Shape("line", [(22, 10), (10, 22)], stroke="ISDNG", width=2.2),
        ]
    if symbol == "landmark":
        return SIZE, [
            Shape("poly", _circle(16, 16, 6), fill=None, stroke="CHBLK", width=1.5),
            Shape("circle", [(16, 16)], r=1.5, fill="CHBLK"),
        ]
    if symbol == "structure":
        return SIZE, [Shape("poly", [(12, 12), (20, 12), (20, 20), (12, 20)], fill="CHBLK")]
    if symbol == "signal":
        return SIZE, [Shape("poly", _circle(16, 16, 6), fill=None, stroke="CHMGD", width=1.5)]
    return SIZE, [
        Shape("poly", _circle(16, 16, 9), fill=None, stroke="CHMGD", width=1.5),
        Shape("line", [(13, 12), (16, 9), (19, 12), (16, 16), (16, 19)], stroke="CHMGD", width=1.5),
        Shape("circle", [(16, 23)], r=1.2, fill="CHMGD"),
    ]


STATIC = ("wreck", "rock", "obstruction", "danger", "landmark", "structure", "signal", "unknown")


def svg(symbol: str, scheme: str = "DAY") -> str:
    size, shapes = definition(symbol)
    pal = colours(scheme)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">'
    ]
    for s in shapes:
        stroke = (
            f'stroke="{pal[s.stroke]}" stroke-width="{s.width}"' if s.stroke else 'stroke="none"'
        )
        fill = f'fill="{pal[s.fill]}"' if s.fill else 'fill="none"'
        if s.kind == "poly":
            pts = " ".join(f"{x:.2f},{y:.2f}" for x, y in s.pts)
            out.append(f'<polygon points="{pts}" {fill} {stroke} stroke-linejoin="round"/>')
        elif s.kind == "line":
            pts = " ".join(f"{x:.2f},{y:.2f}" for x, y in s.pts)
            out.append(f'<polyline points="{pts}" fill="none" {stroke} stroke-linecap="round"/>')
        elif s.kind == "circle":
            ((cx, cy),) = s.pts
            out.append(f'<circle cx="{cx}" cy="{cy}" r="{s.r}" {fill} stroke="none"/>')
    out.append("</svg>")
    return "".join(out)


def _rgba(hex_colour: str) -> tuple[int, int, int, int]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16), 255)


def raster(symbol: str, scheme: str = "DAY", ratio: int = 1) -> Image.Image:
    size, shapes = definition(symbol)
    pal = colours(scheme)
    k = 4 * ratio
    img = Image.new("RGBA", (size * k, size * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    for s in shapes:
        pts = [(x * k, y * k) for x, y in s.pts]
        if s.kind == "poly":
            if s.fill:
                draw.polygon(pts, fill=_rgba(pal[s.fill]))
            if s.stroke:
                draw.line(
                    [*pts, pts[0]],
                    fill=_rgba(pal[s.stroke]),
                    width=max(1, round(s.width * k)),
                    joint="curve",
                )
        elif s.kind == "line":
            draw.line(
                pts,
                fill=_rgba(pal[s.stroke or "CHBLK"]),
                width=max(1, round(s.width * k)),
                joint="curve",
            )
        elif s.kind == "circle":
            ((cx, cy),) = pts
            r = s.r * k
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_rgba(pal[s.fill or "CHBLK"]))
    return img.resize((size * ratio, size * ratio), Image.Resampling.LANCZOS)


@lru_cache(maxsize=32)
def sprite(ids: tuple[str, ...], scheme: str = "DAY", ratio: int = 1) -> tuple[bytes, str]:
    """A MapLibre sprite (PNG bytes, JSON index) holding ``ids`` plus the static symbols."""
    names = sorted(set(ids) | set(STATIC))
    cols = 16
    cell = SIZE * ratio
    rows = (len(names) + cols - 1) // cols
    sheet = Image.new("RGBA", (cols * cell, max(rows, 1) * cell), (0, 0, 0, 0))
    index = {}
    for i, name in enumerate(names):
        img = raster(name, scheme, ratio)
        x, y = (i % cols) * cell, (i // cols) * cell
        sheet.paste(img, (x, y))
        index[name] = {
            "x": x,
            "y": y,
            "width": img.width,
            "height": img.height,
            "pixelRatio": ratio,
        }
    buf = io.BytesIO()
    sheet.save(buf, format="PNG", optimize=True)
    return buf.getvalue(), json.dumps(index, separators=(",", ":"))
