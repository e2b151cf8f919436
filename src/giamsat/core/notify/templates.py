"""What a message says, in Vietnamese or English: e-mail (plain text + HTML), SMS, web pop-up
and the JSON of webhooks, all from one view of the alert (see :func:`alert_view`).

Times are shown in the asset's local time (Vietnam, UTC+7, unless a station says otherwise),
as users read them: ``10:55 15/03/2024``. Rendering happens when the message enters the outbox,
so the delivery log shows exactly what was sent.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

RULES: dict[str, tuple[str, str]] = {
    "exceedance": ("Vượt quy chuẩn", "Limit exceeded"),
    "exceedance_days": (
        "Vượt quy chuẩn nhiều ngày liên tiếp",
        "Limit exceeded on consecutive days",
    ),
    "silence": ("Trạm không gửi dữ liệu", "Station silent"),
    "zone_enter": ("Tàu đi vào vùng cảnh báo", "Vessel entered a watched zone"),
    "zone_exit": ("Tàu ra khỏi vùng cảnh báo", "Vessel left a watched zone"),
    "speeding": ("Tàu chạy quá tốc độ", "Vessel over the speed limit"),
    "aton_low_voltage": ("Báo hiệu điện áp thấp", "AtoN low voltage"),
    "aton_light_failure": ("Báo hiệu hỏng đèn", "AtoN light failure"),
    "aton_off_position": ("Báo hiệu trôi, lệch vị trí", "AtoN off position"),
    "aton_racon_error": ("Báo hiệu lỗi racon", "AtoN racon error"),
    "lost_signal": ("Mất tín hiệu AIS", "AIS signal lost"),
}
SEVERITY_LABELS: dict[str, tuple[str, str]] = {
    "info": ("Thông tin", "Information"),
    "warning": ("Cảnh báo", "Warning"),
    "major": ("Nghiêm trọng", "Major"),
    "critical": ("Khẩn cấp", "Critical"),
}
SEVERITY_COLOURS = {
    "info": "#1f6feb",
    "warning": "#d4a106",
    "major": "#e8590c",
    "critical": "#c92a2a",
}
ASSETS: dict[str, tuple[str, str]] = {
    "station": ("Trạm", "Station"),
    "vessel": ("Tàu", "Vessel"),
    "aton": ("Báo hiệu AIS", "AtoN"),
    "zone": ("Vùng", "Zone"),
}
AVERAGING: dict[str, tuple[str, str]] = {
    "instant": ("giá trị tức thời", "instant value"),
    "1h": ("trung bình 1 giờ", "1-hour mean"),
    "8h": ("trung bình 8 giờ", "8-hour mean"),
    "24h": ("trung bình 24 giờ", "24-hour mean"),
    "year": ("trung bình năm", "annual mean"),
}
UNIT_GUESS = {"aton_low_voltage": "V", "speeding": "kn"}
HEADINGS: dict[str, tuple[str, str]] = {
    "alert": ("Cảnh báo mới", "New alert"),
    "raised": ("Cảnh báo tăng mức", "Alert raised"),
    "resolved": ("Đã hết cảnh báo", "Alert resolved"),
    "escalation": ("Cảnh báo chưa được xác nhận", "Alert not acknowledged"),
}
WORDS: dict[str, tuple[str, str]] = {
    "severity": ("Mức độ", "Severity"),
    "rule": ("Loại cảnh báo", "Alert type"),
    "parameter": ("Thông số", "Parameter"),
    "value": ("Giá trị đo", "Measured value"),
    "limit": ("Giới hạn", "Limit"),
    "period": ("Khoảng đo", "Measured over"),
    "measured": ("Thời điểm đo", "Measured at"),
    "latest": ("Số liệu mới nhất lúc", "Latest data at"),
    "since": ("Bắt đầu lúc", "Since"),
    "occurrences": ("Số lần", "Occurrences"),
    "message": ("Nội dung", "Details"),
    "province": ("Tỉnh", "Province"),
    "zone": ("Vùng", "Zone"),
    "link": ("Xem chi tiết", "Open"),
    "local": ("giờ địa phương", "local time"),
    "unacked": (
        "Cảnh báo này chưa được xác nhận sau {minutes} phút; bạn là người liên hệ thứ hai.",
        "This alert has not been acknowledged after {minutes} minutes; you are the second contact.",
    ),
    "footer": (
        "Thư tự động từ hệ thống giám sát giamsat. Thay đổi đăng ký nhận tin trong mục Thông báo.",
        "Automatic message from the giamsat monitoring system. Change subscriptions under Notifications.",
    ),
    "digest": ("Tổng hợp cảnh báo", "Alert digest"),
    "digest_count": ("{n} thông báo", "{n} notifications"),
    "digest_until": ("đến", "until"),
    "test": ("Thử kênh thông báo", "Notification channel test"),
    "test_body": (
        "Đây là tin thử của đăng ký «{name}». Nếu bạn nhận được tin này, kênh hoạt động bình thường.",
        "This is a test of the subscription “{name}”. If you received it, the channel works.",
    ),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def word(key: str, lang: str) -> str:
    return _pick(WORDS[key], lang)


def rule_label(rule: str, lang: str) -> str:
    return _pick(RULES[rule], lang) if rule in RULES else rule


def severity_label(severity: str, lang: str) -> str:
    return _pick(SEVERITY_LABELS[severity], lang) if severity in SEVERITY_LABELS else severity


def fmt_time(ts: int | float | None, offset_min: int = 420) -> str:
    if ts is None:
        return "-"
    local = datetime.fromtimestamp(float(ts), timezone(timedelta(minutes=offset_min)))
    return local.strftime("%H:%M %d/%m/%Y")


def fmt_offset(offset_min: int) -> str:
    sign = "+" if offset_min >= 0 else "-"
    return f"UTC{sign}{abs(offset_min) // 60:02d}:{abs(offset_min) % 60:02d}"


def fmt_number(value: float | None, lang: str) -> str:
    if value is None:
        return "-"
    text = f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"
    return text.replace(".", ",") if lang == "vi" else text


def _epoch(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, datetime):
        return int(value.timestamp())
    try:
        return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


@dataclass
class View:
    """One alert as messages show it (built by :func:`alert_view`)."""

    id: int
    domain: str
    asset_kind: str
    asset_id: str
    asset_name: str
    rule: str
    parameter: str
    severity: str
    state: str
    message: str
    value: float | None
    limit: float | None
    unit: str = ""
    averaging: str = ""
    standard: str = ""
    column: str = ""
    measured_at: int | None = None  # the value's time (end of its averaging period)
    latest_at: int | None = None  # the newest data of the station
    first_at: int | None = None
    last_at: int | None = None
    occurrences: int = 1
    province: str = ""
    zone: str = ""
    url: str = ""
    offset_min: int = 420
    details: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        def iso(ts: int | None) -> str | None:
            return (
                None
                if ts is None
                else datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
            )

        return {
            "id": self.id,
            "domain": self.domain,
            "asset_kind": self.asset_kind,
            "asset_id": self.asset_id,
            "asset_name": self.asset_name,
            "rule": self.rule,
            "parameter": self.parameter,
            "severity": self.severity,
            "state": self.state,
            "message": self.message,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
            "averaging": self.averaging or None,
            "standard": self.standard or None,
            "column": self.column or None,
            "measured_at": iso(self.measured_at),
            "latest_at": iso(self.latest_at),
            "first_at": iso(self.first_at),
            "last_at": iso(self.last_at),
            "occurrences": self.occurrences,
            "province": self.province or None,
            "zone": self.zone or None,
            "url": self.url or None,
            "utc_offset_min": self.offset_min,
        }


def _worst_exceedance(alert: dict[str, Any]) -> dict[str, Any] | None:
    items = (alert.get("details") or {}).get("exceedances") or []
    for item in items:
        if item.get("value") == alert.get("value") and item.get("limit") == alert.get(
            "limit_value"
        ):
            return item
    return items[0] if items else None


def alert_view(
    alert: dict[str, Any],
    *,
    asset_name: str = "",
    province: str = "",
    latest_at: int | None = None,
    offset_min: int = 420,
    base_url: str = "",
) -> View:
    """The view of an alert row (``core.alerts`` dict) plus facts looked up around it.

    Details the rules may provide and messages use: ``exceedances`` (environment), ``name``,
    ``unit``, ``time`` (ISO 8601 or Unix seconds of the observation) for any rule.
    """
    details = alert.get("details") or {}
    worst = _worst_exceedance(alert)
    unit = str(
        (worst or {}).get("unit") or details.get("unit") or UNIT_GUESS.get(alert["rule"], "")
    )
    measured = _epoch((worst or {}).get("ts")) or _epoch(details.get("time"))
    name = asset_name or str(details.get("name") or "")
    if base_url:
        target = (
            f"/stations/{alert['asset_id']}"
            if alert["asset_kind"] == "station"
            else f"/alerts?station={alert['asset_id']}"
        )
        url = base_url.rstrip("/") + target
    else:
        url = ""
    return View(
        id=int(alert["id"]),
        domain=alert["domain"],
        asset_kind=alert["asset_kind"],
        asset_id=str(alert["asset_id"]),
        asset_name=name,
        rule=alert["rule"],
        parameter=alert.get("parameter") or "",
        severity=alert["severity"],
        state=alert["state"],
        message=alert.get("message") or "",
        value=alert.get("value"),
        limit=alert.get("limit_value"),
        unit="" if unit == "-" else unit,
        averaging=str((worst or {}).get("averaging") or ""),
        standard=str((worst or {}).get("standard") or ""),
        column=str((worst or {}).get("column") or ""),
        measured_at=measured,
        latest_at=latest_at,
        first_at=_epoch(alert.get("first_at")),
        last_at=_epoch(alert.get("last_at")),
        occurrences=int(alert.get("occurrences") or 1),
        province=province,
        zone=alert.get("zone") or "",
        url=url,
        offset_min=offset_min,
        details=details,
    )


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    sms: str
    title: str  # pop-up title
    body: str  # pop-up text
    payload: dict[str, Any]


def _asset(v: View, lang: str) -> str:
    kind = _pick(ASSETS[v.asset_kind], lang) if v.asset_kind in ASSETS else v.asset_kind
    if v.asset_name and v.asset_name != v.asset_id:
        return f"{kind} {v.asset_name} ({v.asset_id})"
    return f"{kind} {v.asset_id}"


def _measure(v: View, lang: str) -> str:
    return f"{fmt_number(v.value, lang)} {v.unit}".strip()


def _limit(v: View, lang: str) -> str:
    text = f"{fmt_number(v.limit, lang)} {v.unit}".strip()
    extra = []
    if v.standard:
        extra.append(f"{v.standard} {v.column}".strip())
    if v.averaging in AVERAGING:
        extra.append(_pick(AVERAGING[v.averaging], lang))
    return f"{text} ({', '.join(extra)})" if extra else text


def _period(v: View, lang: str) -> str | None:
    """The hours a mean covers (means are labelled by the end of their period)."""
    hours = {"1h": 1, "8h": 8, "24h": 24}.get(v.averaging)
    if v.measured_at is None or hours is None:
        return None
    start = fmt_time(v.measured_at - hours * 3600, v.offset_min)
    end = fmt_time(v.measured_at, v.offset_min)
    return f"{start[:5]}–{end}" if start[6:] == end[6:] else f"{start} – {end}"


def _rows(v: View, lang: str) -> list[tuple[str, str]]:
    zone = f" ({fmt_offset(v.offset_min)})"
    rows = [
        (word("rule", lang), rule_label(v.rule, lang)),
        (word("severity", lang), severity_label(v.severity, lang)),
        (_pick(ASSETS.get(v.asset_kind, ("Đối tượng", "Asset")), lang), _asset(v, lang)),
    ]
    if v.province:
        rows.append((word("province", lang), v.province))
    if v.zone:
        rows.append((word("zone", lang), v.zone))
    if v.parameter:
        rows.append((word("parameter", lang), v.parameter))
    if v.value is not None:
        rows.append((word("value", lang), _measure(v, lang)))
    if v.limit is not None:
        rows.append((word("limit", lang), _limit(v, lang)))
    period = _period(v, lang)
    if period:
        rows.append((word("period", lang), period + zone))
    elif v.measured_at is not None:
        rows.append((word("measured", lang), fmt_time(v.measured_at, v.offset_min) + zone))
    if v.latest_at is not None:
        rows.append((word("latest", lang), fmt_time(v.latest_at, v.offset_min) + zone))
    if v.first_at is not None:
        rows.append((word("since", lang), fmt_time(v.first_at, v.offset_min) + zone))
    if v.occurrences > 1:
        rows.append((word("occurrences", lang), str(v.occurrences)))
    if v.message:
        rows.append((word("message", lang), v.message))
    return rows


def _html_page(
    title: str, colour: str, intro: str, rows: list[tuple[str, str]], url: str, lang: str
) -> str:
    cells = "".join(
        f'<tr><th style="text-align:left;padding:4px 12px 4px 0;color:#555;font-weight:normal">'
        f'{html.escape(k)}</th><td style="padding:4px 0">{html.escape(val)}</td></tr>'
        for k, val in rows
    )
    link = (
        f'<p><a href="{html.escape(url, quote=True)}">{html.escape(word("link", lang))}</a></p>'
        if url
        else ""
    )
    intro_html = f"<p>{html.escape(intro)}</p>" if intro else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">'
        f'<div style="border-left:6px solid {colour};padding:8px 16px">'
        f'<h2 style="margin:0 0 8px 0;color:{colour}">{html.escape(title)}</h2>'
        f"{intro_html}<table>{cells}</table>{link}</div>"
        f'<p style="color:#888;font-size:12px">{html.escape(word("footer", lang))}</p>'
        "</body></html>"
    )


def render_alert(
    v: View, kind: str, lang: str, *, escalate_minutes: int | None = None, event: str = ""
) -> Rendered:
    """kind: alert (new), raised (severity went up), resolved, escalation."""
    heading = _pick(HEADINGS[kind], lang)
    what = rule_label(v.rule, lang)
    sev = severity_label(v.severity, lang)
    target = f"{v.parameter} – " if v.parameter else ""
    subject = f"[giamsat] {heading} – {sev}: {what} – {target}{_asset(v, lang)}"
    intro = word("unacked", lang).format(minutes=escalate_minutes) if kind == "escalation" else ""
    rows = _rows(v, lang)
    lines = [f"{heading}: {what}", ""]
    if intro:
        lines += [intro, ""]
    lines += [f"{k}: {val}" for k, val in rows]
    if v.url:
        lines += ["", f"{word('link', lang)}: {v.url}"]
    lines += ["", "--", word("footer", lang)]
    colour = "#2b8a3e" if kind == "resolved" else SEVERITY_COLOURS.get(v.severity, "#555")
    when = v.measured_at or v.last_at
    value_part = ""
    if v.value is not None:
        value_part = f" {_measure(v, lang)}"
        if v.limit is not None:
            value_part += f" / {fmt_number(v.limit, lang)}"
    sms = (
        f"[{sev}] {heading}: {what}. {_asset(v, lang)}. {v.parameter}{value_part}".rstrip()
        + (f" ({fmt_time(when, v.offset_min)})" if when else "")
    ).replace(" .", ".")
    body = f"{_asset(v, lang)}" + (
        f" · {v.parameter}{value_part}" if v.parameter or value_part else ""
    )
    if when:
        body += f" · {fmt_time(when, v.offset_min)}"
    payload = {
        "event": event
        or {"alert": "alert.opened", "raised": "alert.raised"}.get(kind, f"alert.{kind}"),
        "language": lang,
        "title": heading,
        "alert": v.json(),
    }
    if kind == "escalation":
        payload["unacknowledged_minutes"] = escalate_minutes
    return Rendered(
        subject=subject,
        text="\n".join(lines) + "\n",
        html=_html_page(f"{heading}: {what}", colour, intro, rows, v.url, lang),
        sms=sms,
        title=f"{sev}: {what}",
        body=body,
        payload=payload,
    )


def render_digest(
    items: list[tuple[str, View]], lang: str, *, province: str, until: int, offset_min: int = 420
) -> Rendered:
    """One message for many: ``items`` are (kind, view) pairs, oldest first."""
    title = word("digest", lang) + (f" – {province}" if province else "")
    count = word("digest_count", lang).format(n=len(items))
    when = f"{word('digest_until', lang)} {fmt_time(until, offset_min)}"
    lines = [f"{title} ({count}, {when})", ""]
    rows: list[tuple[str, str]] = []
    entries = []
    for kind, v in items:
        heading = _pick(HEADINGS.get(kind, HEADINGS["alert"]), lang)
        stamp = fmt_time(v.measured_at or v.last_at, v.offset_min)
        value = f" {_measure(v, lang)}" if v.value is not None else ""
        limit = (
            f" (> {fmt_number(v.limit, lang)})"
            if v.limit is not None and kind != "resolved"
            else ""
        )
        line = (
            f"{stamp} · {severity_label(v.severity, lang)} · {rule_label(v.rule, lang)} · "
            f"{_asset(v, lang)}"
            + (f" · {v.parameter}{value}{limit}" if v.parameter else value)
            + f" · {heading}"
        )
        lines.append(f"- {line}")
        rows.append((stamp, line.split(" · ", 1)[1]))
        entries.append({"kind": kind, "alert": v.json()})
    lines += ["", "--", word("footer", lang)]
    worst = max(
        (v.severity for _, v in items),
        key=lambda s: list(SEVERITY_LABELS).index(s) if s in SEVERITY_LABELS else 0,
        default="warning",
    )
    subject = f"[giamsat] {title}: {count}"
    return Rendered(
        subject=subject,
        text="\n".join(lines) + "\n",
        html=_html_page(
            f"{title} – {count}", SEVERITY_COLOURS.get(worst, "#555"), when, rows, "", lang
        ),
        sms=f"{title}: {count} ({when}). "
        + "; ".join(
            f"{v.parameter or rule_label(v.rule, lang)} {v.asset_id}" for _, v in items[:5]
        ),
        title=title,
        body=count,
        payload={
            "event": "digest",
            "language": lang,
            "province": province or None,
            "until": datetime.fromtimestamp(until, UTC).isoformat().replace("+00:00", "Z"),
            "items": entries,
        },
    )


def render_test(name: str, lang: str) -> Rendered:
    title = word("test", lang)
    body = word("test_body", lang).format(name=name)
    return Rendered(
        subject=f"[giamsat] {title}",
        text=f"{body}\n\n--\n{word('footer', lang)}\n",
        html=_html_page(title, "#1f6feb", body, [], "", lang),
        sms=body,
        title=title,
        body=body,
        payload={"event": "test", "language": lang, "title": title, "text": body},
    )


def view_from_json(data: dict[str, Any]) -> View:
    """A view back from the ``alert`` part of a stored payload (digests are built from these)."""
    return View(
        id=int(data.get("id") or 0),
        domain=data.get("domain") or "",
        asset_kind=data.get("asset_kind") or "",
        asset_id=str(data.get("asset_id") or ""),
        asset_name=data.get("asset_name") or "",
        rule=data.get("rule") or "",
        parameter=data.get("parameter") or "",
        severity=data.get("severity") or "warning",
        state=data.get("state") or "",
        message=data.get("message") or "",
        value=data.get("value"),
        limit=data.get("limit"),
        unit=data.get("unit") or "",
        averaging=data.get("averaging") or "",
        standard=data.get("standard") or "",
        column=data.get("column") or "",
        measured_at=_epoch(data.get("measured_at")),
        latest_at=_epoch(data.get("latest_at")),
        first_at=_epoch(data.get("first_at")),
        last_at=_epoch(data.get("last_at")),
        occurrences=int(data.get("occurrences") or 1),
        province=data.get("province") or "",
        zone=data.get("zone") or "",
        url=data.get("url") or "",
        offset_min=int(data.get("utc_offset_min") or 420),
    )
