"""Settings: every one is documented, and they are read in the documented order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sns.settings import load_settings, setting_names

DOC = Path(__file__).parents[2] / "docs" / "configuration.md"


def documented() -> set[str]:
    return set(re.findall(r"^\| `([a-z_0-9]+)` \|", DOC.read_text(encoding="utf-8"), flags=re.M))


def test_every_setting_is_documented():
    missing = set(setting_names()) - documented()
    assert not missing, f"add these settings to docs/configuration.md: {sorted(missing)}"


def test_the_documentation_names_no_setting_that_does_not_exist():
    assert documented() <= set(setting_names())


def test_file_then_environment_then_explicit(tmp_path, monkeypatch):
    (tmp_path / "sns.toml").write_text('origin = "from-file.example"\nport = 9000\npage_size = 5\n')
    monkeypatch.setenv("SNS_PORT", "9100")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@127.0.0.1/x")
    s = load_settings(tmp_path, page_size=7)
    assert (s.origin, s.port, s.page_size) == ("from-file.example", 9100, 7)
    assert s.db_url == "postgres://u:p@127.0.0.1/x"


def test_mistakes_stop_start_up_with_the_setting_named(tmp_path, monkeypatch):
    (tmp_path / "sns.toml").write_text('orign = "typo.example"\n')
    with pytest.raises(SystemExit, match="orign"):
        load_settings(tmp_path)
    (tmp_path / "sns.toml").write_text("")
    monkeypatch.setenv("SNS_PORT", "eighty")
    with pytest.raises(SystemExit, match="port"):
        load_settings(tmp_path)
