"""What messages say, in Vietnamese and English, from an alert as the lifecycle stores it."""

from __future__ import annotations

from datetime import UTC, datetime

from giamsat.core.notify.templates import (
    alert_view,
    render_alert,
    render_digest,
    view_from_json,
)

# 10:55 local (UTC+7) on 15 March 2024; the hourly mean covering it is labelled 11:00
LATEST = int(datetime(2024, 3, 15, 3, 55, tzinfo=UTC).timestamp())
HOUR_END = int(datetime(2024, 3, 15, 4, 0, tzinfo=UTC).timestamp())

EXCEEDANCE = {
    "id": 7,
    "domain": "environment",
    "asset_kind": "station",
    "asset_id": "HN_NMA_NT01",
    "parameter": "COD",
    "rule": "exceedance",
    "severity": "critical",
    "state": "open",
    "message": "COD 320.5 mg/L > 150 mg/L (QCVN40_2011 B 1h)",
    "value": 320.5,
    "limit_value": 150.0,
    "province_id": 1,
    "zone": None,
    "details": {"exceedances": [
        {"parameter": "COD", "value": 320.5, "limit": 150.0, "unit": "mg/L", "ts": HOUR_END,
         "averaging": "1h", "standard": "QCVN40_2011", "column": "B", "kind": "max"}]},
    "occurrences": 1,
    "first_at": datetime(2024, 3, 15, 4, 1, tzinfo=UTC),
    "last_at": datetime(2024, 3, 15, 4, 1, tzinfo=UTC),
}  # fmt: skip


def view(**kw):
    return alert_view(EXCEEDANCE, asset_name="Nhà máy A <xử lý>", province="Hà Nội",
                      latest_at=LATEST, base_url="https://giamsat.example.vn/", **kw)  # fmt: skip


def test_vietnamese_exceedance_email() -> None:
    r = render_alert(view(), "alert", "vi")
    assert r.subject == (
        "[giamsat] Cảnh báo mới – Khẩn cấp: Vượt quy chuẩn – COD – "
        "Trạm Nhà máy A <xử lý> (HN_NMA_NT01)"
    )
    lines = r.text.splitlines()
    assert "Giá trị đo: 320,5 mg/L" in lines
    assert "Giới hạn: 150 mg/L (QCVN40_2011 B, trung bình 1 giờ)" in lines
    assert "Khoảng đo: 10:00–11:00 15/03/2024 (UTC+07:00)" in lines
    assert "Số liệu mới nhất lúc: 10:55 15/03/2024 (UTC+07:00)" in lines
    assert "Tỉnh: Hà Nội" in lines
    assert "Xem chi tiết: https://giamsat.example.vn/stations/HN_NMA_NT01" in lines
    # HTML carries the same facts, escaped
    assert "Nhà máy A &lt;xử lý&gt;" in r.html and "<xử lý>" not in r.html
    assert "320,5 mg/L" in r.html and "#c92a2a" in r.html
    assert r.payload["event"] == "alert.opened"
    assert r.payload["alert"]["measured_at"] == "2024-03-15T04:00:00Z"
    assert r.payload["alert"]["latest_at"] == "2024-03-15T03:55:00Z"


def test_english_and_sms() -> None:
    r = render_alert(view(), "raised", "en")
    assert r.subject.startswith("[giamsat] Alert raised – Critical: Limit exceeded – COD")
    assert "Measured value: 320.5 mg/L" in r.text
    assert "Limit: 150 mg/L (QCVN40_2011 B, 1-hour mean)" in r.text
    assert r.sms.startswith("[Critical] Alert raised: Limit exceeded.")
    assert "COD 320.5 mg/L / 150" in r.sms and "(11:00 15/03/2024)" in r.sms
    assert r.payload["event"] == "alert.raised"


def test_maritime_alert_uses_details_for_name_unit_and_time() -> None:
    aton = {
        **EXCEEDANCE,
        "domain": "maritime",
        "asset_kind": "aton",
        "asset_id": "992351001",
        "parameter": "voltage",
        "rule": "aton_low_voltage",
        "severity": "major",
        "value": 10.2,
        "limit_value": 11.5,
        "message": "",
        "details": {"name": "Phao số 0", "time": "2024-03-15T03:55:00Z"},
    }
    r = render_alert(alert_view(aton), "escalation", "vi", escalate_minutes=30)
    assert r.title == "Nghiêm trọng: Báo hiệu điện áp thấp"
    assert "Báo hiệu AIS Phao số 0 (992351001)" in r.body
    assert "10,2 V" in r.body and "10:55 15/03/2024" in r.body
    assert "chưa được xác nhận sau 30 phút" in r.text
    assert r.payload["unacknowledged_minutes"] == 30


def test_digest_lists_every_item() -> None:
    v = view()
    stored = view_from_json(render_alert(v, "alert", "vi").payload["alert"])
    assert stored.measured_at == HOUR_END and stored.offset_min == 420
    resolved = view_from_json({**v.json(), "parameter": "TSS", "value": 80.0})
    r = render_digest([("alert", stored), ("resolved", resolved)], "vi", province="Hà Nội",
                      until=HOUR_END)  # fmt: skip
    assert r.subject == "[giamsat] Tổng hợp cảnh báo – Hà Nội: 2 thông báo"
    assert (
        "- 11:00 15/03/2024 · Khẩn cấp · Vượt quy chuẩn · Trạm Nhà máy A <xử lý> (HN_NMA_NT01) · COD 320,5 mg/L (> 150) · Cảnh báo mới"
        in r.text
    )
    assert "TSS 80 mg/L · Đã hết cảnh báo" in r.text
    assert [i["kind"] for i in r.payload["items"]] == ["alert", "resolved"]
