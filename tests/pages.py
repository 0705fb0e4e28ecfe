"""Reading rendered pages as a browser would: the live markup in them and the text they show."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from prep_bot.infra.config import REPO_ROOT

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


BLOCKS = {"td", "th", "tr", "li", "p", "div", "br", "h1", "h2", "h3", "h4", "section", "summary", "blockquote"}


class LiveMarkup(HTMLParser):
    """Collects elements and attributes that would run code, and the text a reader sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "svg", "object", "embed"):
            self.found.append(f"<{tag}>")
        self._in_style = tag == "style"
        if tag in BLOCKS:
            self.text.append(" ")  # a cell or a paragraph reads apart from the one before
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag}[{name}]")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.text.append(data)


def inspect(document: str) -> tuple[list[str], str]:
    """(live markup found, the page's visible text with spaces collapsed)."""
    parser = LiveMarkup()
    parser.feed(document)
    parser.close()
    return parser.found, " ".join("".join(parser.text).split())


def run_cli(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """`prep-bot ARGS` with this checkout's package, on ``data_dir``."""
    environ = dict(os.environ, PREP_BOT_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "prep_bot.cli", *args], cwd=REPO_ROOT, env=environ,
        capture_output=True, text=True, timeout=600,
    )


def screenshot(page, name: str) -> Path | None:
    """Save a full-page screenshot to $PREP_BOT_SCREENSHOTS/NAME.png when that folder is set (to be
    looked at by a person); nothing otherwise."""
    folder = os.environ.get("PREP_BOT_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
