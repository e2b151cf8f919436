"""Notification settings from the TOML file and the environment; secrets stay out of repr."""

from __future__ import annotations

from pathlib import Path

import pytest

from giamsat.config import load_settings


def test_settings_from_toml_tables_and_environment(tmp_path: Path) -> None:
    (tmp_path / "giamsat.toml").write_text(
        """
[smtp]
host = "smtp.example.vn"
port = 465
security = "tls"
password = "from-the-file"

[sms]
url = "https://sms.example.vn/send?key=K123"
headers = { Authorization = "Basic abc", X-Tenant = "hn" }
ascii = true

[notify]
base_url = "https://giamsat.example.vn"
daily_digest_hour = 6
""",
        encoding="utf-8",
    )
    env = {
        "GIAMSAT_HOME": str(tmp_path),
        "GIAMSAT_SMTP_PASSWORD": "from-the-environment",
        "GIAMSAT_WEBHOOK_SECRET": "signing-key",
    }
    s = load_settings(env)
    assert (s.smtp_host, s.smtp_port, s.smtp_security) == ("smtp.example.vn", 465, "tls")
    assert s.smtp_password == "from-the-environment"  # the environment wins over the file
    assert s.sms_headers == {"Authorization": "Basic abc", "X-Tenant": "hn"}
    assert s.sms_ascii is True and s.notify_daily_digest_hour == 6
    assert s.notify_base_url == "https://giamsat.example.vn"
    text = repr(s)
    for secret in ("from-the-environment", "Basic abc", "K123", "signing-key"):
        assert secret not in text
    env["GIAMSAT_SMS_HEADERS"] = '{"Authorization": "Bearer t"}'
    assert load_settings(env).sms_headers == {"Authorization": "Bearer t"}
    env["GIAMSAT_SMS_HEADERS"] = '["not", "an", "object"]'
    with pytest.raises(ValueError, match="JSON object"):
        load_settings(env)
