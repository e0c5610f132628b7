"""Helpers shared by the benchmark scripts: the run's environment and the docs page."""

from __future__ import annotations

import os
import platform
import re
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "benchmarks.md"


def environment(packages: tuple[str, ...]) -> dict:
    """Return the machine, the versions of ``packages`` (None when absent) and the date."""
    import mfrec

    versions = {}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "machine": f"{processor()}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "mfrec": mfrec.__version__,
        "versions": versions,
    }


def processor() -> str:
    """Return the CPU model name from /proc/cpuinfo, or what the platform module reports."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def replace_section(start: str, end: str, block: str) -> None:
    """Replace the text from ``start`` to ``end`` in docs/benchmarks.md with ``block``.

    ``block`` includes both markers. The other sections are left alone, and the block
    is appended when the page has no such markers yet.
    """
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text)
