"""The empty-data guard and the check command's form."""

from __future__ import annotations

from pathlib import Path

from templated.config import TemplateConfig
from templated.output import check_command, guard


def test_guard(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    cfg = TemplateConfig(destination=str(dest))
    assert guard(cfg, "", {}, {}) == ""  # nothing there yet: an empty file is fine
    dest.write_text("content")
    assert "empty" in guard(cfg, "  \n", {}, {})
    assert "kv.list(p)" in guard(cfg, "x", {"kv.list(p)": True}, {"kv.list(p)": False})
    assert guard(cfg, "x", {"kv.list(p)": False}, {"kv.list(p)": False}) == ""
    allowed = TemplateConfig(destination=str(dest), allow_empty=True)
    assert guard(allowed, "", {"kv.list(p)": True}, {"kv.list(p)": False}) == ""


def test_check_command() -> None:
    assert check_command("nginx -t -c {}", "/tmp/a b") == "nginx -t -c '/tmp/a b'"
    assert check_command("validate", "/tmp/x") == "validate /tmp/x"
