"""Reports: transmission rate (the TT10 80 % rule) by station, province and month,
exceedance episodes, daily VN_AQI — as data, XLSX with native charts, and PDF with charts
(matplotlib, whose bundled DejaVu font covers Vietnamese)."""

from __future__ import annotations

import io
import os
import tempfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

VN = timezone(timedelta(hours=7))


def month_of(value: Any) -> str:
    """yyyy-mm of a period start given as Unix seconds, ISO text or {"local"/"utc": …}."""
    if isinstance(value, dict):
        value = value.get("local") or value.get("utc")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).astimezone(VN).strftime("%Y-%m")
    if isinstance(value, datetime):
        return value.astimezone(VN).strftime("%Y-%m")
    return str(value)[:7]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def transmission(
    items: list[dict[str, Any]], station_info: dict[str, dict[str, Any]], target: float
) -> dict[str, Any]:
    """Monthly completeness rows (station × parameter × month) → rates per station, province
    and month. A station's rate is the mean over its parameters."""
    per: dict[tuple[str, str], list[float]] = defaultdict(list)
    for i in items:
        pct = i.get("percent_complete")
        if pct is not None:
            per[(i["station"], month_of(i.get("datetime_from")))].append(float(pct))
    months = sorted({m for _, m in per})
    stations: dict[str, dict[str, float | None]] = defaultdict(dict)
    for (code, month), values in per.items():
        stations[code][month] = _mean(values)
    by_station = []
    for code in sorted(stations):
        rates = [v for v in stations[code].values() if v is not None]
        overall = _mean(rates)
        info = station_info.get(code, {})
        by_station.append(
            {
                "station": code,
                "name": info.get("name", code),
                "province": info.get("province_code", code.split("_")[0]),
                "component": info.get("component"),
                "months": stations[code],
                "rate": overall,
                "below_target": overall is not None and overall < target,
            }
        )
    provinces: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in by_station:
        provinces[s["province"]].append(s)
    by_province = []
    for prov in sorted(provinces):
        group = provinces[prov]
        by_province.append(
            {
                "province": prov,
                "stations": len(group),
                "below_target": sum(1 for s in group if s["below_target"]),
                "months": {
                    m: _mean([s["months"][m] for s in group if s["months"].get(m) is not None])
                    for m in months
                },
                "rate": _mean([s["rate"] for s in group if s["rate"] is not None]),
            }
        )
    by_month = []
    for m in months:
        rates = [s["months"][m] for s in by_station if s["months"].get(m) is not None]
        by_month.append(
            {
                "month": m,
                "stations": len(rates),
                "below_target": sum(1 for r in rates if r < target),
                "rate": _mean(rates),
            }
        )
    return {
        "target": target,
        "months": months,
        "by_station": by_station,
        "by_province": by_province,
        "by_month": by_month,
    }


def exceedance_summary(episodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in episodes:
        groups[(e["station"], e["parameter"])].append(e)
    out = []
    for (station, parameter), group in sorted(groups.items()):
        out.append(
            {
                "station": station,
                "parameter": parameter,
                "episodes": len(group),
                "hours": round(
                    sum(max(0, (g.get("end") or 0) - (g.get("start") or 0)) for g in group) / 3600,
                    1,
                ),
                "max_ratio": max((g.get("ratio") or 0) for g in group),
                "limit": group[0].get("limit"),
                "standard": group[0].get("standard"),
            }
        )
    return out


# --- XLSX ---------------------------------------------------------------------------------


def transmission_xlsx(report: dict[str, Any], title: str) -> str:
    """A workbook: by station (with a bar chart and the target line), by province, by month."""
    import xlsxwriter

    fd, tmp_name = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    book = xlsxwriter.Workbook(tmp_name)
    bold = book.add_format({"bold": True, "bg_color": "#e8eef5", "border": 1})
    low = book.add_format({"font_color": "#b00020", "bold": True})
    months = report["months"]
    target = report["target"]

    sheet = book.add_worksheet("Theo trạm - by station")
    sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
    header = [
        "Trạm / station",
        "Tên / name",
        "Tỉnh / province",
        *months,
        "Tỷ lệ % / rate",
        f"Mục tiêu / target {target:g}%",
    ]
    sheet.write_row(2, 0, header, bold)
    for r, s in enumerate(report["by_station"], 3):
        row = [
            s["station"],
            s["name"],
            s["province"],
            *[s["months"].get(m) for m in months],
            s["rate"],
            target,
        ]
        for c, value in enumerate(row):
            fmt = low if c == len(row) - 2 and s["below_target"] else None
            sheet.write(r, c, "" if value is None else value, fmt)
    n = len(report["by_station"])
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 36)
    if n:
        rate_col = 3 + len(months)
        chart = book.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "Tỷ lệ truyền / transmission %",
                "categories": ["Theo trạm - by station", 3, 0, 2 + n, 0],
                "values": ["Theo trạm - by station", 3, rate_col, 2 + n, rate_col],
                "fill": {"color": "#2f6db5"},
            }
        )
        line = book.add_chart({"type": "line"})
        line.add_series(
            {
                "name": f"{target:g}%",
                "categories": ["Theo trạm - by station", 3, 0, 2 + n, 0],
                "values": ["Theo trạm - by station", 3, rate_col + 1, 2 + n, rate_col + 1],
                "line": {"color": "#d62728", "dash_type": "dash", "width": 2},
            }
        )
        chart.combine(line)
        chart.set_y_axis({"min": 0, "max": 100, "name": "%"})
        chart.set_title({"name": "Tỷ lệ truyền dữ liệu theo trạm / transmission rate"})
        chart.set_size({"width": 900, "height": 380})
        sheet.insert_chart(4 + n, 0, chart)

    sheet = book.add_worksheet("Theo tỉnh - by province")
    sheet.write_row(
        0,
        0,
        ["Tỉnh / province", "Số trạm / stations", f"< {target:g}%", *months, "Tỷ lệ % / rate"],
        bold,
    )
    for r, p in enumerate(report["by_province"], 1):
        sheet.write_row(
            r,
            0,
            [
                p["province"],
                p["stations"],
                p["below_target"],
                *[("" if p["months"].get(m) is None else p["months"][m]) for m in months],
                "" if p["rate"] is None else p["rate"],
            ],
        )

    sheet = book.add_worksheet("Theo tháng - by month")
    sheet.write_row(
        0, 0, ["Tháng / month", "Số trạm / stations", f"< {target:g}%", "Tỷ lệ % / rate"], bold
    )
    for r, m in enumerate(report["by_month"], 1):
        sheet.write_row(
            r,
            0,
            [m["month"], m["stations"], m["below_target"], "" if m["rate"] is None else m["rate"]],
        )
    if report["by_month"]:
        chart = book.add_chart({"type": "line"})
        k = len(report["by_month"])
        chart.add_series(
            {
                "name": "Tỷ lệ / rate %",
                "categories": ["Theo tháng - by month", 1, 0, k, 0],
                "values": ["Theo tháng - by month", 1, 3, k, 3],
                "marker": {"type": "circle"},
            }
        )
        chart.set_y_axis({"min": 0, "max": 100})
        sheet.insert_chart(2 + k, 0, chart)
    book.close()
    return tmp_name


# --- PDF ----------------------------------------------------------------------------------


def _figure_table(
    ax: Any, header: list[str], rows: list[list[Any]], highlight: set[int] | None = None
) -> None:
    ax.axis("off")
    if not rows:
        ax.text(0.5, 0.5, "Không có dữ liệu / no data", ha="center")
        return
    cells = [
        ["" if v is None else (f"{v:g}" if isinstance(v, float) else str(v)) for v in row]
        for row in rows
    ]
    table = ax.table(cellText=cells, colLabels=header, loc="upper center", cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    table.scale(1, 1.2)
    for (r, _c), cell in table.get_celld().items():
        if r == 0:
            cell.set_facecolor("#e8eef5")
        elif highlight and (r - 1) in highlight:
            cell.get_text().set_color("#b00020")


def transmission_pdf(report: dict[str, Any], title: str, subtitle: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    target = report["target"]
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        stations = report["by_station"][:60]
        fig = plt.figure(figsize=(11.69, 8.27))
        fig.suptitle(title, fontsize=14, fontweight="bold")
        fig.text(0.5, 0.92, subtitle, ha="center", fontsize=9)
        ax = fig.add_axes((0.07, 0.35, 0.9, 0.5))
        names = [s["station"] for s in stations]
        rates = [s["rate"] or 0 for s in stations]
        colours = ["#d62728" if s["below_target"] else "#2f6db5" for s in stations]
        ax.bar(range(len(names)), rates, color=colours)
        ax.axhline(
            target, color="#d62728", linestyle="--", linewidth=1.5, label=f"{target:g}% (TT10)"
        )
        ax.set_ylim(0, 105)
        ax.set_ylabel("%")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=75, fontsize=6)
        ax.set_title("Tỷ lệ truyền dữ liệu theo trạm / transmission rate by station", fontsize=10)
        ax.legend(loc="lower right", fontsize=8)
        months = report["by_month"]
        ax2 = fig.add_axes((0.07, 0.06, 0.4, 0.17))
        ax2.plot(
            [m["month"] for m in months],
            [m["rate"] or 0 for m in months],
            marker="o",
            color="#2f6db5",
        )
        ax2.axhline(target, color="#d62728", linestyle="--", linewidth=1)
        ax2.set_ylim(0, 105)
        ax2.set_title("Theo tháng / by month", fontsize=9)
        ax2.tick_params(labelsize=7)
        ax3 = fig.add_axes((0.55, 0.02, 0.42, 0.22))
        provinces = report["by_province"]
        _figure_table(
            ax3,
            ["Tỉnh", "Trạm", f"<{target:g}%", "Tỷ lệ %"],
            [[p["province"], p["stations"], p["below_target"], p["rate"]] for p in provinces[:12]],
        )
        pdf.savefig(fig)
        plt.close(fig)
        rows = report["by_station"]
        for start in range(0, max(len(rows), 1), 40):
            fig = plt.figure(figsize=(8.27, 11.69))
            fig.suptitle("Chi tiết theo trạm / by station", fontsize=11)
            ax = fig.add_axes((0.04, 0.03, 0.92, 0.9))
            chunk = rows[start : start + 40]
            _figure_table(
                ax,
                ["Trạm / station", "Tỉnh", "Tỷ lệ %", f"<{target:g}%"],
                [
                    [s["station"], s["province"], s["rate"], "✗" if s["below_target"] else ""]
                    for s in chunk
                ],
                {i for i, s in enumerate(chunk) if s["below_target"]},
            )
            pdf.savefig(fig)
            plt.close(fig)
    return buffer.getvalue()


def table_pdf(
    title: str,
    subtitle: str,
    header: list[str],
    rows: list[list[Any]],
    chart: dict[str, Any] | None = None,
) -> bytes:
    """A simple report: an optional bar chart, then the table over as many pages as needed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        fig = plt.figure(figsize=(11.69, 8.27))
        fig.suptitle(title, fontsize=14, fontweight="bold")
        fig.text(0.5, 0.92, subtitle, ha="center", fontsize=9)
        if chart and chart.get("labels"):
            ax = fig.add_axes((0.07, 0.45, 0.9, 0.4))
            ax.bar(
                range(len(chart["labels"])),
                chart["values"],
                color=chart.get("colours") or "#2f6db5",
            )
            ax.set_xticks(range(len(chart["labels"])))
            ax.set_xticklabels(chart["labels"], rotation=60, fontsize=6)
            ax.set_title(chart.get("title", ""), fontsize=10)
            table_box = (0.05, 0.02, 0.9, 0.3)
        else:
            table_box = (0.05, 0.05, 0.9, 0.8)
        _figure_table(fig.add_axes(table_box), header, rows[:12])
        pdf.savefig(fig)
        plt.close(fig)
        for start in range(12, len(rows), 45):
            fig = plt.figure(figsize=(11.69, 8.27))
            _figure_table(fig.add_axes((0.05, 0.03, 0.9, 0.92)), header, rows[start : start + 45])
            pdf.savefig(fig)
            plt.close(fig)
    return buffer.getvalue()
