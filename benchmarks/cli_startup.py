"""Start-up time of the ``zoo`` command line: wall time of a few commands in fresh processes.

    python benchmarks/cli_startup.py                 # 3 runs of each command, median and range
    python benchmarks/cli_startup.py --runs 5 --commands list "info gpd"

Each run is ``python -m zoo.cli ARGS`` in a new process, so it includes the interpreter's start and
every import the command makes (TensorFlow for commands that build model cards or models). The
machine's load average is printed beside the figures; on a shared machine they vary with it.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time

DEFAULT_COMMANDS = ("--help", "--version", "pick --help", "train --help", "list", "info phasenet")


def wall_time(args: list[str]) -> float:
    """Seconds from spawn to exit of ``python -m zoo.cli *args`` (output discarded)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "zoo.cli", *args], capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--commands", nargs="+", default=list(DEFAULT_COMMANDS))
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; {options.runs} runs per command")
    for command in options.commands:
        times = [wall_time(shlex.split(command)) for _ in range(options.runs)]
        print(
            f"zoo {command:<16} median {statistics.median(times):6.2f} s  "
            f"(min {min(times):.2f}, max {max(times):.2f})"
        )


if __name__ == "__main__":
    main()
