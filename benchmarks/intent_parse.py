"""Time the local intent parser on the development set.

Run from the repository root:

    .venv/bin/python benchmarks/intent_parse.py [FILE.jsonl] [--repeat 200]

Parses every sentence of the file (default: ../shared/intents/dev.jsonl) the
given number of times and prints the mean and p99 microseconds per parse, as
wall-clock time and as this thread's CPU time (on a busy machine the wall-clock
p99 measures the scheduler, the CPU p99 the parser). No database and no
network: the parser is pure Python.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voice.intents import parse  # noqa: E402

DEFAULT_FILE = ROOT.parent / "shared" / "intents" / "dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    cases = []
    with open(args.file, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                data = json.loads(line)
                cases.append((data["text"], dt.datetime.fromisoformat(data["now"])))
    for text, now in cases:  # warm the caches once, as a running server would be
        parse(text, now=now)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(args.repeat):
        for text, now in cases:
            start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
            parse(text, now=now)
            cpu.append((time.thread_time_ns() - start_cpu) / 1000)
            wall.append((time.perf_counter_ns() - start) / 1000)
    print(f"sentences: {len(cases)}  parses: {len(wall)}")
    for label, timings in (("wall", wall), ("cpu", cpu)):
        timings.sort()
        p99 = timings[int(len(timings) * 0.99) - 1]
        print(
            f"{label}: mean {statistics.fmean(timings):.1f} µs  "
            f"p50 {statistics.median(timings):.1f} µs  p99 {p99:.1f} µs  max {timings[-1]:.1f} µs"
        )


if __name__ == "__main__":
    main()
