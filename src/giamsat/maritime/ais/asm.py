"""Binary application messages (ASM) carried by messages 6 and 8, and the DAC/FI table.

Each application is a layout of its payload (the bits after DAC and FI). The registry maps
(message type, DAC, FI) to an application; it is configurable so that a national authority's
DAC (for example Vietnam's 574) can reuse a published layout such as the GLA AtoN monitoring
message. Pairs that are not in the table, or whose payload length does not fit the
application, are kept as raw bits (``data`` as hex plus ``data_bits``), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from giamsat.maritime.ais.layout import B, Field, I, Layout, Repeat, S, T, U, layout
from giamsat.maritime.ais.messages import MSG6, MSG8
from giamsat.maritime.ais.sixbit import bits_to_text, clean_text


@dataclass(frozen=True)
class Application:
    """The payload layout of one binary application (offsets count from the payload start)."""

    name: str
    title: str
    fields: tuple[Field, ...]
    min_bits: int
    max_bits: int = 1008
    tail: Field | None = None
    repeat: Repeat | None = None
    post: Any = None


def _lat(name: str, width: int, div: int) -> Field:
    return I(name, width, div=div, na=(91 * div,), unit="deg")


def _lon(name: str, width: int, div: int) -> Field:
    return I(name, width, div=div, na=(181 * div,), unit="deg")


def _vts_target_ids(msg: dict[str, Any]) -> None:
    """8/1/17: the 42-bit target id is an MMSI, an IMO number or six-bit text by id type."""
    for target in msg.get("targets") or ():
        raw = target.get("id")
        if raw is not None and target.get("idtype") in (2, 3):
            target["id"] = clean_text(bits_to_text(raw, 7))


_SERVICES = ("agent", "fuel", "chandler", "stevedore", "electrical", "water", "customs",
             "cartage", "crane", "lift", "medical", "navrepair", "provisions", "shiprepair",
             "surveyor", "steam", "tugs", "solidwaste", "liquidwaste", "hazardouswaste",
             "ballast", "additional", "regional1", "regional2", "future1", "future2")  # fmt: skip

_WAYPOINTS = Repeat("waypoints", (_lon("lon", 28, 600000), _lat("lat", 27, 600000)),
                    count="waycount", maximum=31)  # fmt: skip


def _route(name: str, title: str) -> Application:
    return Application(
        name, title,
        (U("linkage", 10), U("sender", 3), U("rtype", 5), U("month", 4), U("day", 5),
         U("hour", 5), U("minute", 6), U("duration", 18), U("waycount", 5)),
        min_bits=61, repeat=_WAYPOINTS,
    )  # fmt: skip


def _met_hydro_236() -> tuple[Field, ...]:
    return (
        _lat("lat", 24, 60000), _lon("lon", 25, 60000), U("day", 5, na=(0,)),
        U("hour", 5, na=(24,)), U("minute", 6, na=(60,)),
        U("wspeed", 7, na=(127,), unit="kn"), U("wgust", 7, na=(127,), unit="kn"),
        U("wdir", 9, na=(511,), unit="deg"), U("wgustdir", 9, na=(511,), unit="deg"),
        U("airtemp", 11, add=-600, div=10, na=(2047,), unit="degC"),
        U("humidity", 7, na=(127,), unit="%"),
        U("dewpoint", 10, add=-200, div=10, na=(1023,), unit="degC"),
        U("pressure", 9, add=800, na=(511,), unit="hPa"), U("pressuretend", 2, na=(3,)),
        U("visibility", 8, div=10, na=(255,), unit="nmi"),
        U("waterlevel", 9, add=-100, div=10, na=(511,), unit="m"), U("leveltrend", 2, na=(3,)),
        U("cspeed", 8, div=10, na=(255,), unit="kn"), U("cdir", 9, na=(511,), unit="deg"),
        U("cspeed2", 8, div=10, na=(255,), unit="kn"), U("cdir2", 9, na=(511,), unit="deg"),
        U("cdepth2", 5, na=(31,), unit="m"),
        U("cspeed3", 8, div=10, na=(255,), unit="kn"), U("cdir3", 9, na=(511,), unit="deg"),
        U("cdepth3", 5, na=(31,), unit="m"),
        U("waveheight", 8, div=10, na=(255,), unit="m"), U("waveperiod", 6, na=(63,), unit="s"),
        U("wavedir", 9, na=(511,), unit="deg"),
        U("swellheight", 8, div=10, na=(255,), unit="m"), U("swellperiod", 6, na=(63,), unit="s"),
        U("swelldir", 9, na=(511,), unit="deg"), U("seastate", 4, na=(15,)),
        U("watertemp", 10, add=-100, div=10, na=(1023,), unit="degC"),
        U("preciptype", 3, na=(7,)), U("salinity", 9, div=10, na=(511,), unit="permille"),
        U("ice", 2, na=(3,)), S(6),
    )  # fmt: skip


def _met_hydro_289() -> tuple[Field, ...]:
    return (
        _lon("lon", 25, 60000), _lat("lat", 24, 60000), B("accuracy"), U("day", 5, na=(0,)),
        U("hour", 5, na=(24,)), U("minute", 6, na=(60,)),
        U("wspeed", 7, na=(127,), unit="kn"), U("wgust", 7, na=(127,), unit="kn"),
        U("wdir", 9, na=(360,), unit="deg"), U("wgustdir", 9, na=(360,), unit="deg"),
        I("airtemp", 11, div=10, na=(-1024,), unit="degC"), U("humidity", 7, na=(101,), unit="%"),
        I("dewpoint", 10, div=10, na=(501,), unit="degC"),
        U("pressure", 9, add=799, na=(511,), unit="hPa"), U("pressuretend", 2, na=(3,)),
        B("visgreater"), U("visibility", 7, div=10, na=(127,), unit="nmi"),
        U("waterlevel", 12, add=-1000, div=100, na=(4001,), unit="m"), U("leveltrend", 2, na=(3,)),
        U("cspeed", 8, div=10, na=(255,), unit="kn"), U("cdir", 9, na=(360,), unit="deg"),
        U("cspeed2", 8, div=10, na=(255,), unit="kn"), U("cdir2", 9, na=(360,), unit="deg"),
        U("cdepth2", 5, na=(31,), unit="m"),
        U("cspeed3", 8, div=10, na=(255,), unit="kn"), U("cdir3", 9, na=(360,), unit="deg"),
        U("cdepth3", 5, na=(31,), unit="m"),
        U("waveheight", 8, div=10, na=(255,), unit="m"), U("waveperiod", 6, na=(63,), unit="s"),
        U("wavedir", 9, na=(360,), unit="deg"),
        U("swellheight", 8, div=10, na=(255,), unit="m"), U("swellperiod", 6, na=(63,), unit="s"),
        U("swelldir", 9, na=(360,), unit="deg"), U("seastate", 4, na=(13,)),
        I("watertemp", 10, div=10, na=(501,), unit="degC"), U("preciptype", 3, na=(7,)),
        U("salinity", 9, div=10, na=(510, 511), unit="permille"), U("ice", 2, na=(3,)), S(10),
    )  # fmt: skip


def _inland_eta_head() -> tuple[Field, ...]:
    return (T("country", 2), T("locode", 3), T("section", 5), T("terminal", 5),
            T("hectometre", 5), U("month", 4), U("day", 5), U("hour", 5), U("minute", 6))  # fmt: skip


APPLICATIONS: dict[str, Application] = {
    a.name: a
    for a in (
        Application(
            "gla_aton_monitor", "AtoN monitoring data (GLA, IALA A-126)",
            (U("ana_int", 10, div=20, na=(0,), digits=2, unit="V"),
             U("ana_ext1", 10, div=20, na=(0,), digits=2, unit="V"),
             U("ana_ext2", 10, div=20, na=(0,), digits=2, unit="V"),
             U("racon", 2), U("light", 2), B("alarm"), U("stat_ext", 8), B("off_pos"), S(4)),
            min_bits=44, max_bits=48,
        ),
        Application(
            "zeni_lite_buoy", "Buoy monitoring (Zeni Lite, DAC 0 FI 0)",
            (U("sub_app_id", 16), U("voltage", 12, div=10, digits=1, unit="V"),
             U("current", 10, div=10, digits=1, unit="A"), B("dc_power"), B("light_on"),
             B("battery_low"), B("off_position"), S(6)),
            min_bits=42, max_bits=48,
        ),
        Application(
            "trinity_buoy_position", "Buoy position monitoring (Trinity House)",
            (T("station_name", 34), U("utc_day", 5, na=(0,)), U("utc_hour", 5, na=(24,)),
             U("utc_minute", 6, na=(60,)), _lon("lon", 28, 600000), _lat("lat", 27, 600000),
             B("off_position"), S(4)),
            min_bits=276, max_bits=280,
        ),
        Application(
            "imo236_dangerous_cargo", "Dangerous cargo indication (IMO 236)",
            (T("lastport", 5), U("lmonth", 4), U("lday", 5), U("lhour", 5), U("lminute", 6),
             T("nextport", 5), U("nmonth", 4), U("nday", 5), U("nhour", 5), U("nminute", 6),
             T("dangerous", 20), T("imdcat", 4), U("unid", 13), U("amount", 10), U("unit", 2),
             S(3)),
            min_bits=0, max_bits=272,
        ),
        Application(
            "imo236_tidal_window", "Tidal window (IMO 236)",
            (U("month", 4), U("day", 5)),
            min_bits=9,
            repeat=Repeat("tidals", (
                _lat("lat", 27, 60000), _lon("lon", 28, 60000), U("from_hour", 5),
                U("from_min", 6), U("to_hour", 5), U("to_min", 6), U("cdir", 9, unit="deg"),
                U("cspeed", 7, div=10, unit="kn"))),
        ),
        Application(
            "imo236_extended_static", "Extended ship static and voyage data (IMO 236)",
            (U("airdraught", 11, div=10, unit="m"), S(5)), min_bits=11, max_bits=16,
        ),
        Application(
            "persons_on_board", "Number of persons on board (IMO 236/289)",
            (U("persons", 13), S(3)), min_bits=13, max_bits=24,
        ),
        Application(
            "imo289_clearance", "Clearance time to enter port (IMO 289)",
            (U("linkage", 10), U("month", 4), U("day", 5), U("hour", 5), U("minute", 6),
             T("portname", 20), T("destination", 5), _lon("lon", 25, 60000),
             _lat("lat", 24, 60000), S(43)),
            min_bits=0, max_bits=272,
        ),
        Application(
            "imo289_berthing", "Berthing data (IMO 289)",
            (U("linkage", 10), U("berth_length", 9, unit="m"),
             U("berth_depth", 8, div=10, unit="m"), U("position", 3), U("month", 4),
             U("day", 5), U("hour", 5), U("minute", 6), B("availability"),
             *(U(name, 2) for name in _SERVICES), T("berth_name", 20),
             _lon("berth_lon", 25, 60000), _lat("berth_lat", 24, 60000)),
            min_bits=0, max_bits=272,
        ),
        Application(
            "imo289_dangerous_cargo", "Dangerous cargo indication (IMO 289)",
            (U("unit", 2), U("amount", 10)), min_bits=12,
            repeat=Repeat("cargos", (U("code", 4), U("subtype", 13))),
        ),
        _route("imo289_route_addressed", "Route information, addressed (IMO 289)"),
        _route("imo289_route_broadcast", "Route information, broadcast (IMO 289)"),
        Application(
            "imo289_text_addressed", "Text description, addressed (IMO 289)",
            (U("linkage", 10),), min_bits=10, tail=T("text", 0),
        ),
        Application(
            "imo289_text_broadcast", "Text description, broadcast (IMO 289)",
            (U("linkage", 10),), min_bits=10, tail=T("text", 0),
        ),
        Application(
            "imo289_tidal_window", "Tidal window (IMO 289)",
            (U("month", 4), U("day", 5)), min_bits=9,
            repeat=Repeat("tidals", (
                _lon("lon", 25, 60000), _lat("lat", 24, 60000), U("from_hour", 5),
                U("from_min", 6), U("to_hour", 5), U("to_min", 6), U("cdir", 9, unit="deg"),
                U("cspeed", 8, div=10, unit="kn"))),
        ),
        Application(
            "inland_eta", "ETA at lock/bridge/terminal (Inland AIS)",
            (*_inland_eta_head(), U("tugs", 3), U("airdraught", 12, div=100, unit="m"), S(5)),
            min_bits=160, max_bits=160,
        ),
        Application(
            "inland_rta", "RTA at lock/bridge/terminal (Inland AIS)",
            (*_inland_eta_head(), U("status", 2), S(2)), min_bits=144, max_bits=144,
        ),
        Application(
            "inland_persons", "Number of persons on board (Inland AIS)",
            (U("crew", 8), U("passengers", 13), U("personnel", 8), S(51)),
            min_bits=80, max_bits=80,
        ),
        Application(
            "imo236_met_hydro", "Meteorological and hydrographic data (IMO 236)",
            _met_hydro_236(), min_bits=290,
        ),
        Application(
            "imo289_met_hydro", "Meteorological and hydrographic data (IMO 289)",
            _met_hydro_289(), min_bits=294,
        ),
        Application(
            "imo236_fairway_closed", "Fairway closed (IMO 236)",
            (T("reason", 20), T("closefrom", 20), T("closeto", 20), U("radius", 10),
             U("extunit", 2), U("fday", 5), U("fmonth", 4), U("fhour", 5), U("fminute", 6),
             U("tday", 5), U("tmonth", 4), U("thour", 5), U("tminute", 6), S(4)),
            min_bits=0, max_bits=416,
        ),
        Application(
            "imo289_vts_targets", "VTS-generated/synthetic targets (IMO 289)",
            (), min_bits=0,
            repeat=Repeat("targets", (
                U("idtype", 2), U("id", 42), S(4), _lat("lat", 24, 60000),
                _lon("lon", 25, 60000), U("course", 9, na=(360,), unit="deg"),
                U("second", 6, na=(60,)), U("speed", 10, na=(255,), unit="kn")), maximum=7),
            post=_vts_target_ids,
        ),
        Application(
            "imo289_traffic_signal", "Marine traffic signal (IMO 289)",
            (U("linkage", 10), T("station", 20), _lon("lon", 25, 60000), _lat("lat", 24, 60000),
             U("status", 2), U("signal", 5), U("hour", 5), U("minute", 6), U("nextsignal", 5),
             S(102)),
            min_bits=0, max_bits=304,
        ),
        Application(
            "inland_static", "Inland ship static and voyage data (ERI)",
            (T("vin", 8), U("length", 13, div=10, unit="m"), U("beam", 10, div=10, unit="m"),
             U("shiptype", 14), U("hazard", 3), U("draught", 11, div=100, unit="m"),
             U("loaded", 2), B("speed_q"), B("course_q"), B("heading_q"), S(8)),
            min_bits=112, max_bits=112,
        ),
        Application(
            "inland_emma_warning", "EMMA weather warning (Inland AIS)",
            (U("start_year", 8), U("start_month", 4), U("start_day", 5), U("end_year", 8),
             U("end_month", 4), U("end_day", 5), U("start_hour", 5), U("start_minute", 6),
             U("end_hour", 5), U("end_minute", 6), _lon("start_lon", 28, 600000),
             _lat("start_lat", 27, 600000), _lon("end_lon", 28, 600000),
             _lat("end_lat", 27, 600000), U("emma_type", 4, gpsd="type"), I("min", 9),
             I("max", 9), U("intensity", 2, gpsd="class"), U("wind", 4), S(6)),
            min_bits=200, max_bits=200,
        ),
        Application(
            "inland_water_levels", "Water levels (Inland AIS)",
            (T("country", 2),), min_bits=112, max_bits=112,
            repeat=Repeat("gauges", (U("id", 11), I("level", 14)), maximum=4),
        ),
        Application(
            "inland_signal_status", "Signal status (Inland AIS)",
            (_lon("lon", 28, 600000), _lat("lat", 27, 600000), U("form", 4), U("facing", 9),
             U("direction", 3), U("status", 30), S(11)),
            min_bits=112, max_bits=112,
        ),
    )
}  # fmt: skip

#: (message type, DAC, FI) -> application name. 6/366/10 follows AIS-catcher's reading of
#: the US use of the GLA layout; national DACs are added with ``AsmRegistry.alias``.
DEFAULT_TABLE: dict[tuple[int, int, int], str] = {
    (6, 235, 10): "gla_aton_monitor", (6, 250, 10): "gla_aton_monitor",
    (6, 366, 10): "gla_aton_monitor", (8, 235, 10): "gla_aton_monitor",
    (8, 250, 10): "gla_aton_monitor",
    (6, 0, 0): "zeni_lite_buoy",
    (6, 235, 20): "trinity_buoy_position",
    (6, 1, 12): "imo236_dangerous_cargo", (6, 1, 14): "imo236_tidal_window",
    (6, 1, 15): "imo236_extended_static", (6, 1, 16): "persons_on_board",
    (6, 1, 18): "imo289_clearance", (6, 1, 20): "imo289_berthing",
    (6, 1, 25): "imo289_dangerous_cargo", (6, 1, 28): "imo289_route_addressed",
    (6, 1, 30): "imo289_text_addressed", (6, 1, 32): "imo289_tidal_window",
    (6, 200, 21): "inland_eta", (6, 200, 22): "inland_rta", (6, 200, 55): "inland_persons",
    (8, 1, 11): "imo236_met_hydro", (8, 1, 13): "imo236_fairway_closed",
    (8, 1, 15): "imo236_extended_static", (8, 1, 16): "persons_on_board",
    (8, 1, 17): "imo289_vts_targets", (8, 1, 19): "imo289_traffic_signal",
    (8, 1, 27): "imo289_route_broadcast", (8, 1, 29): "imo289_text_broadcast",
    (8, 1, 31): "imo289_met_hydro",
    (8, 200, 10): "inland_static", (8, 200, 23): "inland_emma_warning",
    (8, 200, 24): "inland_water_levels", (8, 200, 40): "inland_signal_status",
}  # fmt: skip

_HEADERS = {6: MSG6, 8: MSG8}


def compose(msg_type: int, dac: int, fi: int, app: Application) -> Layout:
    """The full message layout: the message 6/8 header followed by the application payload."""
    header = _HEADERS[msg_type]
    head_bits = header.fixed_bits
    return layout(
        f"{msg_type}/{dac}/{fi}",
        app.title,
        [*header.fields, *app.fields],
        min_bits=head_bits + app.min_bits,
        bits=head_bits + sum(f.width for f in app.fields),
        tail=app.tail,
        repeat=app.repeat,
        post=app.post,
        max_bits=head_bits + app.max_bits,
    )


@dataclass
class AsmRegistry:
    """(message type, DAC, FI) -> application; configurable per deployment."""

    table: dict[tuple[int, int, int], str] = field(default_factory=lambda: dict(DEFAULT_TABLE))
    _layouts: dict[tuple[int, int, int], Layout] = field(default_factory=dict, repr=False)

    def alias(self, msg_type: int, dac: int, fi: int, application: str) -> None:
        """Decode (msg_type, dac, fi) with a known application layout."""
        if msg_type not in _HEADERS:
            raise ValueError("binary applications are carried by messages 6 and 8")
        if application not in APPLICATIONS:
            known = ", ".join(sorted(APPLICATIONS))
            raise ValueError(f"unknown application {application!r} (known: {known})")
        if not (0 <= dac < 1024 and 0 <= fi < 64):
            raise ValueError("DAC is 0..1023 and FI 0..63")
        self.table[(msg_type, dac, fi)] = application
        self._layouts.pop((msg_type, dac, fi), None)

    def alias_spec(self, spec: str) -> None:
        """``"6:574:10=gla_aton_monitor"`` (the form used by the CLI and settings)."""
        try:
            key, application = spec.split("=", 1)
            msg_type, dac, fi = (int(part) for part in key.split(":"))
        except ValueError as exc:
            raise ValueError(f"bad DAC/FI alias {spec!r}: want TYPE:DAC:FI=APPLICATION") from exc
        self.alias(msg_type, dac, fi, application.strip())

    def layout(self, msg_type: int, dac: int, fi: int) -> Layout | None:
        key = (msg_type, dac, fi)
        found = self._layouts.get(key)
        if found is None:
            name = self.table.get(key)
            if name is None:
                return None
            found = self._layouts[key] = compose(msg_type, dac, fi, APPLICATIONS[name])
        return found

    def application(self, msg_type: int, dac: int, fi: int) -> str | None:
        return self.table.get((msg_type, dac, fi))


DEFAULT_REGISTRY = AsmRegistry()


def registry_from_settings(settings: Any) -> AsmRegistry:
    """The default table plus the deployment's aliases: ``[ais] asm_aliases = [...]`` in
    giamsat.toml (e.g. ``["6:574:10=gla_aton_monitor", "8:574:10=gla_aton_monitor"]``)."""
    registry = AsmRegistry()
    aliases = getattr(settings, "extra", {}).get("ais_asm_aliases") or []
    if isinstance(aliases, str):
        aliases = [a for a in aliases.replace(";", ",").split(",") if a.strip()]
    for spec in aliases:
        registry.alias_spec(str(spec))
    return registry


def all_layouts() -> list[Layout]:
    """One composed layout per application (for tests and documentation)."""
    seen: dict[str, Layout] = {}
    for (msg_type, dac, fi), name in DEFAULT_TABLE.items():
        if name not in seen:
            seen[name] = compose(msg_type, dac, fi, APPLICATIONS[name])
    return list(seen.values())
