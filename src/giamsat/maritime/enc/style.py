"""MapLibre style JSON for the chart: palette, display category and mariner settings baked in.

Rules re-derived from S-52's conditional symbology: depth areas shaded from the shallow,
safety and deep contours (SEABED01), the safety contour drawn bold at the chosen depth or the
next deeper contour a cell has (DEPCNT03), soundings dark when shallower than the safety depth
(SOUNDG03), dangers lying in safe water but shallower than the safety contour promoted to an
isolated-danger symbol in Display Base (UDWHAZ). Layer metadata carry the toggle group and
display category so the UI can switch them without a new style.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from giamsat.maritime.enc.display import CATEGORIES, category_rank, class_info, colours
from giamsat.maritime.enc.sectors import SECTOR_CLASS

SOURCE = "enc"
LAYER = "enc"


@dataclass(frozen=True)
class MarinerSettings:
    safety_contour: float = 10.0
    shallow_contour: float = 5.0
    deep_contour: float = 30.0
    safety_depth: float | None = None  # defaults to the safety contour
    show_soundings: bool = True
    four_shades: bool = True

    @property
    def sounding_depth(self) -> float:
        return self.safety_contour if self.safety_depth is None else self.safety_depth

    def check(self) -> None:
        if not self.shallow_contour <= self.safety_contour <= self.deep_contour:
            raise ValueError("contours must satisfy shallow <= safety <= deep")


def effective_safety_contour(contours: list[float], safety: float) -> float | None:
    """The safety contour a cell can show: the chosen depth or the next deeper contour."""
    deeper = [c for c in contours if c >= safety]
    return min(deeper) if deeper else None


def _classes(*names: str) -> list[Any]:
    return ["in", ["get", "OBJNAME"], ["literal", list(names)]]


def _geom(kind: str) -> list[Any]:
    return ["==", ["geometry-type"], kind]


SCAMIN = [">=", ["zoom"], ["coalesce", ["get", "_minz"], 0]]


def build_style(
    tiles_url: str,
    sprite_url: str,
    scheme: str = "DAY",
    category: str = "standard",
    settings: MarinerSettings | None = None,
    cells: list[dict[str, Any]] | None = None,
    min_zoom: int = 0,
    max_zoom: int = 16,
    background: bool = True,
) -> dict[str, Any]:
    settings = settings or MarinerSettings()
    settings.check()
    pal = colours(scheme)
    rank = category_rank(category)
    cells = cells or []
    c = pal.__getitem__
    d1 = ["coalesce", ["get", "DRVAL1"], -1]
    d2 = ["coalesce", ["get", "DRVAL2"], ["+", d1, 0.01]]
    if settings.four_shades:
        depth_fill: list[Any] = [
            "case",
            ["<", d1, 0], c("DEPIT"),
            ["all", [">=", d1, settings.deep_contour], [">", d2, settings.deep_contour]], c("DEPDW"),
            ["all", [">=", d1, settings.safety_contour], [">", d2, settings.safety_contour]], c("DEPMD"),
            ["all", [">=", d1, settings.shallow_contour], [">", d2, settings.shallow_contour]], c("DEPMS"),
            c("DEPVS"),
        ]  # fmt: skip
    else:
        depth_fill = [
            "case",
            ["<", d1, 0], c("DEPIT"),
            ["all", [">=", d1, settings.safety_contour], [">", d2, settings.safety_contour]], c("DEPDW"),
            c("DEPVS"),
        ]  # fmt: skip
    per_cell = {
        r["name"]: effective_safety_contour(list(r.get("contours") or []), settings.safety_contour)
        for r in cells
    }
    match: list[Any] = ["match", ["get", "_cell"]]
    for name, value in sorted(per_cell.items()):
        match += [name, -9999 if value is None else value]
    safety_value: Any = [*match, settings.safety_contour] if per_cell else settings.safety_contour
    is_safety = ["==", ["coalesce", ["get", "VALDCO"], -1], safety_value]
    danger_cls = _classes("WRECKS", "OBSTRN", "UWTROC")
    valsou = ["coalesce", ["get", "VALSOU"], 9999]
    isolated = [
        "all",
        danger_cls,
        ["<", valsou, settings.safety_contour],
        [">=", ["coalesce", ["get", "_wdepth"], -1], settings.safety_contour],
    ]
    depth = ["coalesce", ["get", "DEPTH"], 0]
    sounding_text = [
        "case",
        ["<", ["abs", depth], 31],
        ["number-format", ["abs", depth], {"max-fraction-digits": 1}],
        ["number-format", ["abs", depth], {"max-fraction-digits": 0}],
    ]

    layers: list[dict[str, Any]] = []

    def add(layer_id: str, kind: str, group: str, cat: str, flt: list[Any], **props: Any) -> None:
        visible = category_rank(cat) <= rank
        if group == "soundings" and not settings.show_soundings:
            visible = False
        layer: dict[str, Any] = {
            "id": layer_id,
            "type": kind,
            "source": SOURCE,
            "source-layer": LAYER,
            "filter": ["all", SCAMIN, *flt] if flt else SCAMIN,
            "metadata": {"giamsat:group": group, "giamsat:category": cat},
            "layout": {**props.pop("layout", {}), "visibility": "visible" if visible else "none"},
        }
        if props.get("paint"):
            layer["paint"] = props["paint"]
        layers.append(layer)

    if background:
        layers.append(
            {
                "id": "enc-background",
                "type": "background",
                "paint": {"background-color": c("NODTA")},
                "metadata": {"giamsat:group": "meta", "giamsat:category": "base"},
            }
        )
    poly = _geom("Polygon")
    line = _geom("LineString")
    point = _geom("Point")
    add(
        "enc-depth-areas",
        "fill",
        "depths",
        "base",
        [poly, _classes("DEPARE", "DRGARE")],
        paint={"fill-color": depth_fill, "fill-antialias": False},
    )
    add(
        "enc-unsurveyed",
        "fill",
        "depths",
        "base",
        [poly, _classes("UNSARE")],
        paint={"fill-color": c("NODTA")},
    )
    add(
        "enc-land",
        "fill",
        "land",
        "base",
        [poly, _classes("LNDARE")],
        paint={"fill-color": c("LANDA")},
    )
    add(
        "enc-inland-water",
        "fill",
        "land",
        "standard",
        [poly, _classes("LAKARE", "RIVERS", "CANALS")],
        paint={"fill-color": c("DEPVS")},
    )
    add(
        "enc-built-up",
        "fill",
        "land",
        "standard",
        [poly, _classes("BUAARE")],
        paint={"fill-color": c("CHBRN"), "fill-opacity": 0.5},
    )
    add(
        "enc-structures-area",
        "fill",
        "structures",
        "standard",
        [
            poly,
            _classes(
                "BRIDGE",
                "PONTON",
                "HULKES",
                "SLCONS",
                "CAUSWY",
                "DYKCON",
                "OFSPLF",
                "MORFAC",
                "BERTHS",
            ),
        ],
        paint={"fill-color": c("CHBRN")},
    )
    add(
        "enc-dangers-area",
        "fill",
        "dangers",
        "all",
        [poly, danger_cls],
        paint={"fill-color": c("DEPVS"), "fill-outline-color": c("CHBLK")},
    )
    add(
        "enc-dredged-outline",
        "line",
        "depths",
        "standard",
        [_classes("DRGARE")],
        paint={"line-color": c("CHGRD"), "line-width": 1, "line-dasharray": [4, 2]},
    )
    add(
        "enc-depth-contours",
        "line",
        "depths",
        "all",
        [line, _classes("DEPCNT"), ["!", is_safety]],
        paint={"line-color": c("DEPCN"), "line-width": 0.6},
    )
    add(
        "enc-safety-contour",
        "line",
        "depths",
        "base",
        [line, _classes("DEPCNT"), is_safety],
        paint={"line-color": c("DEPSC"), "line-width": 2},
    )
    add(
        "enc-regulated-areas",
        "line",
        "areas",
        "standard",
        [
            _classes(
                "RESARE",
                "MIPARE",
                "CTNARE",
                "ACHARE",
                "DMPGRD",
                "MARCUL",
                "FSHFAC",
                "SPLARE",
                "PRCARE",
                "ISTZNE",
            )
        ],
        paint={"line-color": c("TRFCD"), "line-width": 1.2, "line-dasharray": [6, 3]},
    )
    add(
        "enc-routes-area",
        "fill",
        "routes",
        "standard",
        [poly, _classes("TSSLPT", "TSEZNE", "TSSRON", "TSSCRS", "DWRTPT")],
        paint={"fill-color": c("TRFCF"), "fill-opacity": 0.35},
    )
    add(
        "enc-fairways",
        "line",
        "routes",
        "standard",
        [_classes("FAIRWY", "DWRTCL", "TSSBND")],
        paint={"line-color": c("CHGRD"), "line-width": 1, "line-dasharray": [8, 4]},
    )
    add(
        "enc-tracks",
        "line",
        "routes",
        "standard",
        [line, _classes("NAVLNE", "RECTRC", "FERYRT")],
        paint={"line-color": c("CHBLK"), "line-width": 1, "line-dasharray": [6, 3]},
    )
    add(
        "enc-cables",
        "line",
        "structures",
        "all",
        [_classes("CBLSUB", "CBLARE", "PIPSOL", "PIPARE")],
        paint={"line-color": c("CHMGD"), "line-width": 1, "line-dasharray": [2, 2]},
    )
    add(
        "enc-overhead",
        "line",
        "structures",
        "standard",
        [line, _classes("CBLOHD", "PIPOHD")],
        paint={"line-color": c("CHGRD"), "line-width": 1, "line-dasharray": [3, 1]},
    )
    add(
        "enc-coastline",
        "line",
        "land",
        "base",
        [_classes("COALNE", "SLCONS")],
        paint={"line-color": c("CSTLN"), "line-width": 1.2},
    )
    add(
        "enc-structures-line",
        "line",
        "structures",
        "standard",
        [line, _classes("BRIDGE", "PONTON", "CAUSWY", "DYKCON", "MORFAC", "GATCON")],
        paint={"line-color": c("CSTLN"), "line-width": 1.5},
    )
    add(
        "enc-soundings",
        "symbol",
        "soundings",
        "all",
        [point, _classes("SOUNDG")],
        layout={
            "text-field": sounding_text,
            "text-font": ["sans-serif"],
            "text-size": 11,
            "text-allow-overlap": False,
            "symbol-sort-key": depth,
        },
        paint={
            "text-color": ["case", ["<", depth, settings.sounding_depth], c("SNDG2"), c("SNDG1")]
        },
    )
    add(
        "enc-dangers",
        "symbol",
        "dangers",
        "all",
        [point, danger_cls, ["!", isolated]],
        layout={"icon-image": ["get", "_sym"], "icon-allow-overlap": True, "icon-size": 0.8},
    )
    add(
        "enc-isolated-dangers",
        "symbol",
        "dangers",
        "base",
        [point, isolated],
        layout={"icon-image": "danger", "icon-allow-overlap": True},
    )
    add(
        "enc-structures",
        "symbol",
        "structures",
        "standard",
        [point, _classes("PILPNT", "MORFAC", "OFSPLF", "PYLONS", "LNDMRK", "BUISGL", "SILTNK")],
        layout={"icon-image": ["get", "_sym"], "icon-size": 0.7, "icon-allow-overlap": True},
    )
    add(
        "enc-signals",
        "symbol",
        "lights",
        "all",
        [point, _classes("FOGSIG", "RTPBCN", "RDOSTA", "CGUSTA")],
        layout={"icon-image": ["get", "_sym"], "icon-size": 0.8, "icon-allow-overlap": True},
    )
    add(
        "enc-beacons",
        "symbol",
        "aids",
        "standard",
        [point, _classes("BCNLAT", "BCNCAR", "BCNISD", "BCNSAW", "BCNSPP")],
        layout={
            "icon-image": ["get", "_sym"],
            "icon-anchor": "bottom",
            "icon-offset": [0, 2],
            "icon-allow-overlap": True,
            "icon-size": 0.9,
        },
    )
    add(
        "enc-buoys",
        "symbol",
        "aids",
        "standard",
        [
            point,
            _classes(
                "BOYLAT", "BOYCAR", "BOYISD", "BOYSAW", "BOYSPP", "BOYINB", "LITFLT", "LITVES"
            ),
        ],
        layout={
            "icon-image": ["get", "_sym"],
            "icon-anchor": "bottom",
            "icon-offset": [0, 2],
            "icon-allow-overlap": True,
            "icon-size": 0.9,
        },
    )
    add(
        "enc-topmarks",
        "symbol",
        "aids",
        "standard",
        [point, _classes("TOPMAR", "DAYMAR")],
        layout={
            "icon-image": ["get", "_sym"],
            "icon-anchor": "bottom",
            "icon-offset": [0, -26],
            "icon-allow-overlap": True,
            "icon-size": 0.6,
        },
    )
    sector = _classes(SECTOR_CLASS)
    add(
        "enc-light-sector-legs",
        "line",
        "lights",
        "standard",
        [sector, ["==", ["get", "_part"], "leg"]],
        paint={"line-color": c("CHBLK"), "line-width": 1, "line-dasharray": [4, 3]},
    )
    arc = ["==", ["get", "_part"], "arc"]
    add(
        "enc-light-sectors-outline",
        "line",
        "lights",
        "standard",
        [sector, arc],
        paint={"line-color": c("CHBLK"), "line-width": 4},
    )
    add(
        "enc-light-sectors",
        "line",
        "lights",
        "standard",
        [sector, arc],
        paint={
            "line-color": [
                "match",
                ["get", "_col"],
                "LITRD",
                c("LITRD"),
                "LITGN",
                c("LITGN"),
                c("LITYW"),
            ],
            "line-width": 2,
        },
    )
    add(
        "enc-lights",
        "symbol",
        "lights",
        "standard",
        [point, _classes("LIGHTS")],
        layout={"icon-image": ["get", "_sym"], "icon-allow-overlap": True},
    )
    add(
        "enc-light-descriptions",
        "symbol",
        "lights",
        "all",
        [point, _classes("LIGHTS")],
        layout={
            "text-field": ["coalesce", ["get", "_txt"], ""],
            "text-font": ["sans-serif"],
            "text-size": 10,
            "text-offset": [1.2, 0.9],
            "text-anchor": "left",
            "text-optional": True,
        },
        paint={"text-color": c("CHBLK")},
    )
    add(
        "enc-names",
        "symbol",
        "names",
        "all",
        [["has", "OBJNAM"], _classes("SEAARE", "LNDRGN", "LNDMRK", "BUAARE")],
        layout={"text-field": ["get", "OBJNAM"], "text-font": ["sans-serif"], "text-size": 11},
        paint={"text-color": c("CHBLK"), "text-halo-color": c("CHWHT"), "text-halo-width": 0.8},
    )

    return {
        "version": 8,
        "name": f"giamsat ENC {scheme} {category}",
        "metadata": {
            "giamsat:scheme": scheme,
            "giamsat:category": category,
            "giamsat:categories": list(CATEGORIES),
            "giamsat:settings": {
                "safety_contour": settings.safety_contour,
                "shallow_contour": settings.shallow_contour,
                "deep_contour": settings.deep_contour,
                "safety_depth": settings.sounding_depth,
                "show_soundings": settings.show_soundings,
            },
            "giamsat:safety_contour_by_cell": per_cell,
        },
        "sprite": sprite_url,
        "sources": {
            SOURCE: {
                "type": "vector",
                "tiles": [tiles_url],
                "minzoom": min_zoom,
                "maxzoom": max_zoom,
                "attribution": "ENC: national hydrographic offices. Not for navigation.",
            }
        },
        "layers": layers,
    }


def group_of(objname: str) -> str:
    return class_info(objname)["group"]
