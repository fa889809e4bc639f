#!/usr/bin/env python3
"""Batch `check` against `zizmor --offline` on the same files, runs interleaved.

On a shared VM a block of back-to-back runs drifts with the neighbours' load, which can put a
faster build behind a slower one. Here every round runs each command once (the order reversed
every other round), and the report gives, besides each command's median, the median of the
ratios zizmor / pipewarden of runs made in the same round, which drift does not bias.

    server/benches/batch_ratio.py --runs 15 --files LIST target/release/pipewarden [OTHER_BUILD...]

LIST holds the paths of the files to check, separated by white space (paths relative to the
folder the script is started in).
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="rounds after one warm-up round")
    parser.add_argument("--files", required=True, help="a file listing the files to check")
    parser.add_argument("builds", nargs="+", help="pipewarden binaries to compare")
    args = parser.parse_args()
    if shutil.which("zizmor") is None:
        sys.exit("zizmor is not on the PATH (pip install zizmor)")
    with open(args.files, encoding="utf-8") as listing:
        files = listing.read().split()
    commands = {build: [build, "check", "--format", "json", *files] for build in args.builds}
    commands["zizmor"] = ["zizmor", "--offline", "--format", "json", *files]
    names = list(commands)
    for name in names:
        timed(commands[name])
    times = {name: [] for name in names}
    for round_index in range(args.runs):
        order = names if round_index % 2 == 0 else names[::-1]
        for name in order:
            times[name].append(timed(commands[name]))
    for name in names:
        runs = times[name]
        print(f"{name}: median {statistics.median(runs):.3f} s, min {min(runs):.3f}, max {max(runs):.3f}")
    zizmor = times["zizmor"]
    for build in args.builds:
        paired = [theirs / ours for theirs, ours in zip(zizmor, times[build])]
        at_medians = statistics.median(zizmor) / statistics.median(times[build])
        print(
            f"{build}: {at_medians:.2f}x faster at the medians, "
            f"{statistics.median(paired):.2f}x by the median of paired runs (lowest {min(paired):.2f}x)"
        )


if __name__ == "__main__":
    main()
