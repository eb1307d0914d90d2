"""Start-up benchmark: ``mlsd-study --quit-after-startup`` against a bare PySide6 window.

Both run as fresh processes, alternately, several times; we print the medians of wall time,
CPU time (user + system, which other work on the machine disturbs less than wall time) and peak
memory (max RSS), and their ratios to the bare window measured in the same run. Targets from
the foundation issue: start <= 2.0x and peak memory <= 1.5x the bare window.

    python tests/benchmarks/bench_startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The floor: what any PySide6 app with a tree and a text pane pays to show its first window.
BARE_WINDOW = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTextBrowser, QTreeView
app = QApplication([])
window = QMainWindow()
splitter = QSplitter()
splitter.addWidget(QTreeView())
splitter.addWidget(QTextBrowser())
window.setCentralWidget(splitter)
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS in MiB and CPU seconds of one run of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    output = process.stdout.read().decode() if process.stdout else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
    if "mlsd" in " ".join(command) and "startup_ms=" not in output:
        raise SystemExit("the app did not print startup_ms=")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss / 1024, cpu  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # Both run with compiled bytecode, as an installed app does (pip compiles .pyc files
        # at install time). Where PYTHONDONTWRITEBYTECODE is set, every run would otherwise
        # recompile the app's own modules from source (~40 ms) but not PySide6's.
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
               "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        app = [sys.executable, "-m", "app", "--data-dir", str(Path(tmp) / "data"),
               "--quit-after-startup"]
        first_wall, first_rss, _ = measure(app, env)  # empty data folder: creates and syncs
        measure(app, env)  # and writes the bytecode cache
        measure([sys.executable, "-c", BARE_WINDOW], env)  # warm the file cache for both
        bare: list[tuple[float, float, float]] = []
        ours: list[tuple[float, float, float]] = []
        for _ in range(args.runs):
            bare.append(measure([sys.executable, "-c", BARE_WINDOW], env))
            ours.append(measure(app, env))
    bare_wall = statistics.median(w for w, _, _ in bare) * 1000
    bare_rss = statistics.median(r for _, r, _ in bare)
    bare_cpu = statistics.median(c for _, _, c in bare) * 1000
    our_wall = statistics.median(w for w, _, _ in ours) * 1000
    our_rss = statistics.median(r for _, r, _ in ours)
    our_cpu = statistics.median(c for _, _, c in ours) * 1000
    print(f"runs={args.runs} (medians; fresh process each run, QT_QPA_PLATFORM=offscreen)")
    print(f"bare PySide6 window   wall={bare_wall:7.1f} ms   cpu={bare_cpu:7.1f} ms   "
          f"peak_rss={bare_rss:6.1f} MiB")
    print(f"mlsd-study            wall={our_wall:7.1f} ms   cpu={our_cpu:7.1f} ms   "
          f"peak_rss={our_rss:6.1f} MiB")
    print(f"first start (new data folder, no bytecode yet) wall={first_wall * 1000:.1f} ms "
          f"peak_rss={first_rss:.1f} MiB")
    print(f"ratio wall={our_wall / bare_wall:.2f}x (target <= 2.0x)   "
          f"cpu={our_cpu / bare_cpu:.2f}x   peak_rss={our_rss / bare_rss:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
