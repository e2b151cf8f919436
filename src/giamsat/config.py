"""Settings: defaults < TOML file < GIAMSAT_* environment variables < command-line options.

The TOML file is `$GIAMSAT_HOME/giamsat.toml` unless GIAMSAT_CONFIG names another. Keys are
the field names below, flat (``db_url = "..."``) or grouped in tables whose name is the prefix
(``[ftp] port = 2121`` sets ``ftp_port``).
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Settings:
    home: Path = Path("var")
    db_url: str = ""  # default: sqlite:///<home>/giamsat.db
    archive_url: str = ""  # SQLite only: the attached archive.db (default: next to the main file)
    bus: str = "embedded"  # embedded | nats
    nats_url: str = "nats://127.0.0.1:4222"
    nats_stream: str = "GIAMSAT"  # subjects are "<stream lowercased>.>"
    timezone_offset_hours: int = (
        7  # TT10 file times are Vietnam local time unless a station says otherwise
    )
    # receivers
    ftp_enabled: bool = True
    ftp_host: str = "127.0.0.1"
    ftp_port: int = 2121
    ftp_passive_ports: str = "30000-30099"
    ftp_tls: bool = True  # explicit FTPS (AUTH TLS) offered on the FTP port
    sftp_enabled: bool = True
    sftp_host: str = "127.0.0.1"
    sftp_port: int = 2222
    inbox: Path | None = None  # default: <home>/inbox
    watch_dirs: tuple[str, ...] = ()  # watched-folder mode, for sites with their own FTP server
    watch_settle_seconds: float = 1.0
    folder_template: str = "{component}/{yyyy}/{MM}/{ddMMyyyy}"
    max_file_bytes: int = 1_000_000
    future_tolerance_seconds: int = 3600
    name_time_tolerance_seconds: int = 3600
    relay_url: str = ""  # ftp://, ftps:// or sftp://user:pass@host:port/path (province -> ministry)
    # web
    web_enabled: bool = True
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    # environment rules
    disconnect_minutes: int = 60
    silence_alert_hours: int = 12
    completeness_target_percent: float = 80.0
    # notifications (docs/notify.md); a channel is on when its server/gateway is set.
    # Secrets (passwords, gateway headers and URL, signing key) are kept out of repr and logs.
    notify_enabled: bool = True
    notify_base_url: str = ""  # link in messages, e.g. https://giamsat.example.vn
    notify_poll_seconds: float = 2.0  # alerts raised by other processes are seen this late
    notify_max_attempts: int = 30  # per message; a channel outage does not use them up
    notify_retry_base_seconds: float = 10.0  # backoff 10 s, 20 s, 40 s … capped at the next
    notify_retry_max_seconds: float = 3600.0
    notify_daily_digest_hour: int = 7  # local hour daily digests go out
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls | tls (implicit, port 465) | none
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = ""
    smtp_ca_file: str = ""  # trust this CA bundle (a relay with its own certificate)
    smtp_verify: bool = True  # check the server certificate and host name
    smtp_timeout_seconds: float = 20.0
    smtp_rate_per_minute: int = 120
    sms_url: str = field(default="", repr=False)  # may carry an API key
    sms_method: str = "POST"
    sms_headers: dict[str, str] = field(default_factory=dict, repr=False)
    sms_body: str = '{"to": "{to}", "text": "{text}"}'
    sms_content_type: str = "application/json"  # or application/x-www-form-urlencoded, text/plain
    sms_sender: str = ""
    sms_success_match: str = ""  # a regex the reply must match (gateways that answer 200 on errors)
    sms_ascii: bool = False  # strip Vietnamese diacritics (160 GSM characters per SMS, not 70)
    sms_max_chars: int = 320
    sms_timeout_seconds: float = 15.0
    sms_rate_per_minute: int = 30
    webhook_secret: str = field(default="", repr=False)  # default HMAC key of webhooks
    webhook_timeout_seconds: float = 10.0
    webhook_rate_per_minute: int = 600
    # maritime engine (docs/maritime.md): sources are "id=url" items separated by commas or
    # whitespace, urls tcp://host:port (client), tcp-listen://host:port (receivers push),
    # udp://host:port, file:///path.nmea?speed=10 (replay; speed 0 = as fast as possible)
    maritime_enabled: bool = True
    maritime_sources: str = ""
    maritime_speed_limit_kn: float = 0.0  # 0: no limit everywhere (zones may have their own)
    maritime_low_voltage: float = 11.5  # V, AtoN supply
    maritime_lost_after_minutes: float = 30.0  # AtoN silence that is a lost signal
    maritime_vessel_lost_after_minutes: float = 30.0  # watched vessels
    maritime_off_position_radius_m: float = 50.0  # AtoNs registered without a radius
    maritime_dedupe_seconds: float = 2.0
    maritime_track_min_seconds: float = 10.0
    maritime_track_max_seconds: float = 600.0
    maritime_track_min_distance_m: float = 100.0
    maritime_track_course_change_deg: float = 15.0
    maritime_track_speed_change_kn: float = 3.0
    maritime_track_keep_all: bool = False
    maritime_flush_seconds: float = 0.1  # batch persisted at least this often
    maritime_state_seconds: float = 5.0  # latest vessel state written this often
    maritime_archive_raw: bool = True  # raw lines kept under <home>/ais/raw for replay
    maritime_reconnect_max_seconds: float = 60.0
    maritime_idle_seconds: float = 120.0  # a TCP feed silent this long is reconnected
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Absolute from the start: receivers report absolute paths, and a relative home would
        # make every comparison with them fail (and change meaning if the process changes dir).
        object.__setattr__(self, "home", Path(self.home).absolute())
        if self.inbox is not None:
            object.__setattr__(self, "inbox", Path(self.inbox).absolute())

    @property
    def resolved_db_url(self) -> str:
        return self.db_url or f"sqlite:///{self.home / 'giamsat.db'}"

    @property
    def resolved_archive_url(self) -> str:
        """Empty means: archive.db next to the SQLite main database (see Store)."""
        return self.archive_url

    @property
    def resolved_inbox(self) -> Path:
        return self.inbox or self.home / "inbox"


_FIELDS = {f.name: f for f in fields(Settings)}


def _coerce(name: str, raw: Any) -> Any:
    kind = str(_FIELDS[name].type)
    if isinstance(raw, str):
        if "bool" in kind:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
        if "tuple" in kind:
            return tuple(p for p in raw.split(os.pathsep) if p)
        if "Path" in kind:
            return Path(raw)
        if kind.startswith("dict"):
            value = json.loads(raw)  # e.g. GIAMSAT_SMS_HEADERS='{"Authorization": "Basic …"}'
            if not isinstance(value, dict):
                raise ValueError(f"GIAMSAT_{name.upper()} must be a JSON object")
            return {str(k): str(v) for k, v in value.items()}
    if "tuple" in kind and isinstance(raw, list):
        return tuple(raw)
    if "Path" in kind and isinstance(raw, str):
        return Path(raw)
    return raw


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in _FIELDS:
            flat.update(_flatten(value, f"{name}_"))
        else:
            flat[name] = value
    return flat


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from the environment (and the TOML file it points at)."""
    env = os.environ if environ is None else environ
    home = Path(overrides.get("home") or env.get("GIAMSAT_HOME") or "var")
    values: dict[str, Any] = {"home": home}
    config_path = Path(env.get("GIAMSAT_CONFIG") or home / "giamsat.toml")
    extra: dict[str, Any] = {}
    if config_path.is_file():
        for key, value in _flatten(tomllib.loads(config_path.read_text("utf-8"))).items():
            if key in _FIELDS:
                values[key] = _coerce(key, value)
            else:
                extra[key] = value
    for name in _FIELDS:
        raw = env.get(f"GIAMSAT_{name.upper()}")
        if raw is not None and name not in ("home", "extra"):
            values[name] = _coerce(name, raw)
    values.update({k: _coerce(k, v) for k, v in overrides.items() if v is not None})
    values["extra"] = extra
    return replace(Settings(), **values)
