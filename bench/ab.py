#!/usr/bin/python3
"""Side by side: one apsched-bench workload on two builds of apsched, interleaved (A B,
then B A, ...), each run a fresh process, and median (min-max) of each figure for both
with the ratio B/A. For checking a change against the build before it on a noisy
machine, where single runs of one build spread by 25-40%.

    /usr/bin/python3 bench/ab.py --a BUILD_A --b BUILD_B [--runs 6] [--keys k1,k2]
                                 -- --workload w3 --n 100000 [more apsched-bench arguments]

BUILD_A and BUILD_B are build directories with the bench targets (each one's
bin/apsched-bench loads the plugins of its own build). --keys picks the JSON keys to
show; by default, the headline figures the runs report.
"""
import argparse
import os
import sys

from run import Runner, fmt_num, log, summary, values

HEADLINE = ("jobs_per_s", "p50_ms", "p99_ms", "max_ms", "adds_per_s", "bytes_per_job", "restart_total_s",
            "all_ran_once_after_restart_s", "total_s", "first_exec_after_run_date_ms")


def run_once(runner, workload, extra):
    """One run through run.py's Runner (the same command line and JSON reading); exits on a failure."""
    result = runner.run("apsched", workload, extra, timeout=600)
    if result is None:
        sys.exit("ab.py: " + runner.failures[-1])
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="build directory A (the baseline)")
    ap.add_argument("--b", required=True, help="build directory B (the change)")
    ap.add_argument("--runs", type=int, default=6, help="runs per build (default 6)")
    ap.add_argument("--keys", default=None, help="comma-separated JSON keys to show")
    ap.add_argument("bench_args", nargs=argparse.REMAINDER, help="-- then the apsched-bench arguments")
    args = ap.parse_args()
    bench_args = args.bench_args[1:] if args.bench_args[:1] == ["--"] else args.bench_args
    if "--workload" not in bench_args[:-1]:
        ap.error("give the apsched-bench arguments after --, e.g. -- --workload w3 --n 100000")
    at = bench_args.index("--workload")
    workload, extra = bench_args[at + 1], bench_args[:at] + bench_args[at + 2:]

    for build in (args.a, args.b):
        if not os.path.isfile(os.path.join(build, "bin", "apsched-bench")):
            ap.error("%s has no bin/apsched-bench: build it with --target apsched-bench" % build)

    runs = {"A": [], "B": []}
    runners = {side: Runner(argparse.Namespace(build=build, dir="/tmp/apsbench", jsonl=None, replay=None))
               for side, build in (("A", args.a), ("B", args.b))}
    for i in range(args.runs):
        for side in (("A", "B") if i % 2 == 0 else ("B", "A")):
            runs[side].append(run_once(runners[side], workload, extra))
            log("run %d/%d %s done" % (i + 1, args.runs, side))

    keys = args.keys.split(",") if args.keys else [k for k in HEADLINE if any(k in r for r in runs["A"])]
    print("%s, %d runs each, interleaved: A = %s, B = %s" % (" ".join(bench_args), args.runs, args.a, args.b))
    print("| figure | A | B | B/A |")
    print("| --- | --- | --- | --- |")
    for k in keys:
        sa, ma = summary(values(runs["A"], k))
        sb, mb = summary(values(runs["B"], k))
        print("| %s | %s | %s | %s |" % (k, sa, sb, fmt_num(mb / ma) if ma and mb is not None else "-"))


if __name__ == "__main__":
    main()
