#!/usr/bin/python3
"""Runs the W1-W5 benchmarks on apsched and on APScheduler 3.9.1, alternating the two,
each run a fresh process, and prints one table: median (min-max) per figure for both and
the ratio, with the machine facts. Then the cron next-fire-time micro-benchmark and the
scaling series (W1 and W3 at 10k, 100k, 1M jobs).

    /usr/bin/python3 bench/run.py [--build build-bench] [--runs 3] [--dir /tmp/apsbench]
                                  [--no-scaling] [--out results.md] [--jsonl runs.jsonl]

Needs a build with the bench targets (`cmake --build BUILD --target apsched-bench`),
python3-apscheduler and python3-sqlalchemy (run with /usr/bin/python3). About 8-9
minutes on 2 cores.
"""
import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"
SHM = "/dev/shm/apsbench-%d" % os.getpid()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Runner:
    def __init__(self, args):
        self.args = args
        self.bench = os.path.join(args.build, "bin", "apsched-bench")
        self.wake_floor = os.path.join(args.build, "bin", "apsched-wake-floor")
        self.restart_floor = os.path.join(args.build, "bin", "apsched-restart-floor")
        self.jsonl = open(args.jsonl, "w") if args.jsonl else None
        self.failures = []
        # --replay: the runs of an earlier --jsonl file, returned in the order they were made
        # (the plan is deterministic given the results), to re-render a report.
        self.replay = None
        if args.replay:
            with open(args.replay) as f:
                self.replay = [json.loads(l) for l in f if l.strip()]
            self.meta = next((r["_meta"] for r in self.replay if "_meta" in r), {})
            self.replay = [r for r in self.replay if "_meta" not in r]

    def cmd(self, impl, workload, extra):
        if impl == "wake-floor":
            return [self.wake_floor]
        if impl == "restart-floor":
            return [self.restart_floor, "--dir", self.args.dir] + [str(x) for x in extra]
        if impl == "apsched":
            base = [self.bench]
        else:
            base = [PY, os.path.join(HERE, "aps_bench.py")]
        return base + ["--workload", workload, "--dir", self.args.dir] + [str(x) for x in extra]

    def run(self, impl, workload, extra=(), timeout=400):
        c = self.cmd(impl, workload, extra)
        if self.replay is not None:
            if self.replay and self.replay[0].get("impl") in (impl, "sqlite3") and \
                    self.replay[0].get("workload") == workload:
                return self.replay.pop(0)
            return None
        t0 = time.time()
        try:
            p = subprocess.run(c, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.failures.append("%s %s: timed out" % (impl, " ".join(c[1:])))
            log("  TIMEOUT " + " ".join(c))
            return None
        lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
        if p.returncode != 0 or not lines:
            self.failures.append("%s %s: exit %d: %s" % (impl, " ".join(c[1:]), p.returncode, p.stderr.strip()[-300:]))
            log("  FAILED " + " ".join(c) + "\n" + p.stderr[-2000:])
            return None
        res = json.loads(lines[-1])
        res["_wall_s"] = round(time.time() - t0, 2)
        if self.jsonl:
            self.jsonl.write(json.dumps(res) + "\n")
            self.jsonl.flush()
        return res


# ---------------------------------------------------------------- machine facts

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return ""


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def loadavg():
    return " ".join("%.2f" % x for x in os.getloadavg())


def versions(build):
    v = sh(PY + " -c \"import apscheduler, sqlalchemy, sqlite3, sys; "
           "print(apscheduler.__version__, sqlalchemy.__version__, sqlite3.sqlite_version, sys.version.split()[0])\"")
    aps, sqla, sqlite, py = (v.split() + ["?"] * 4)[:4]
    gcc = ""
    cache = os.path.join(build, "CMakeCache.txt")
    btype = "?"
    if os.path.exists(cache):
        with open(cache) as f:
            for line in f:
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    btype = line.split("=", 1)[1].strip()
                if line.startswith("CMAKE_CXX_COMPILER:"):
                    gcc = sh(line.split("=", 1)[1].strip() + " -dumpfullversion")
    head = sh("git -C %s rev-parse --short HEAD" % ROOT)
    dirty = sh("git -C %s status --porcelain -- core sdk plugins" % ROOT)
    return {"apscheduler": aps, "sqlalchemy": sqla, "sqlite": sqlite, "python": py, "gcc": gcc,
            "build_type": btype, "apsched": head + (" + uncommitted changes in core/sdk/plugins" if dirty else "")}


# ---------------------------------------------------------------- statistics and formatting

def values(runs, key):
    """The numbers under `key` in each run (a tuple of keys: their sum)."""
    out = []
    for r in runs:
        if r is None:
            continue
        if isinstance(key, tuple):
            parts = [r.get(k) for k in key]
            v = sum(parts) if all(isinstance(x, (int, float)) for x in parts) else None
        else:
            v = r.get(key)
        if isinstance(v, bool):
            v = 1.0 if v else 0.0
        if isinstance(v, (int, float)):
            out.append(float(v))
    return out


def fmt_num(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1000:
        return "{:,.0f}".format(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    if a == 0:
        return "0"
    if a >= 0.01:
        return "%.3f" % v
    return "%.4f" % v


def summary(vals):
    if not vals:
        return "-", None
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt_num(med), med
    return "%s (%s–%s)" % (fmt_num(med), fmt_num(min(vals)), fmt_num(max(vals))), med


def ratio(a, p, higher_better):
    if a is None or p is None or a == 0 or p == 0:
        return None
    return a / p if higher_better else p / a


def drops(runs):
    """missed / max_instances / error events, and WARNING+ log records, summed over runs."""
    m = sum(values(runs, "missed_events"))
    s = sum(values(runs, "max_instances_events"))
    e = sum(values(runs, "error_events"))
    logs = 0
    for r in runs:
        if r:
            logs += sum(r.get("log_counts", {}).values())
    return "%d/%d/%d, %d log" % (m, s, e, logs)


# ---------------------------------------------------------------- the plan

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=None, help="build directory with bin/apsched-bench (default: build-bench, else build)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/apsbench", help="scratch directory for SQLite files (a real disk)")
    ap.add_argument("--no-scaling", action="store_true", help="skip the 1M-job scaling runs")
    ap.add_argument("--out", default="", help="also write the report (markdown) to this file")
    ap.add_argument("--jsonl", default="", help="write every run's JSON line to this file")
    ap.add_argument("--replay", default="",
                    help="re-render the report from an earlier --jsonl file (runs nothing; decisions that depend on "
                         "the clock, such as the time budget, are not replayed)")
    ap.add_argument("--budget", type=float, default=570,
                    help="seconds: the 1M scaling runs are skipped (and said so) when they would end later")
    ap.add_argument("--w4-adds", type=int, default=0, help="W4 adds per run (default: 10000, fewer if the disk is slow)")
    args = ap.parse_args()
    if not args.build:
        args.build = next((os.path.join(ROOT, b) for b in ("build-bench", "build")
                           if os.path.exists(os.path.join(ROOT, b, "bin", "apsched-bench"))), os.path.join(ROOT, "build"))
    if not os.path.exists(os.path.join(args.build, "bin", "apsched-bench")):
        sys.exit("no %s/bin/apsched-bench: build it with cmake --build %s --target apsched-bench" % (args.build, args.build))
    if not args.replay:
        # Without them every APScheduler run fails and the table has one side only.
        missing = subprocess.run([PY, "-c", "import apscheduler, sqlalchemy"], capture_output=True, text=True)
        if missing.returncode != 0:
            sys.exit("%s cannot import APScheduler and SQLAlchemy (%s): install them with "
                     "apt-get install python3-apscheduler python3-sqlalchemy" %
                     (PY, missing.stderr.strip().splitlines()[-1] if missing.stderr.strip() else "import failed"))
    os.makedirs(args.dir, exist_ok=True)
    os.makedirs(SHM, exist_ok=True)
    R = Runner(args)
    t_start = time.time()
    facts = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "nproc": os.cpu_count(),
             "cpu": cpu_model(), "kernel": platform.release(), "load_start": loadavg()}
    facts.update(versions(args.build))
    if R.replay is not None:
        facts.update(R.meta.get("facts", {}))
    log("apsched benchmarks: %s, %d cores, load %s" % (facts["date"], facts["nproc"], facts["load_start"]))

    # The disk's commit rate decides how many W4 adds fit in the time budget.
    floor = R.run("apscheduler", "sqlite-floor", ["--n", 300]) or {}
    d_rate = floor.get("delete_full_commits_per_s", 1500.0)
    w_rate = floor.get("wal_full_commits_per_s", 1500.0)
    if args.w4_adds:
        n_w4 = args.w4_adds
    else:
        # ~12 s per run for the slower side: APScheduler manages ~45% of the rollback-journal
        # commit rate, the C++ store commits once per add in WAL mode.
        est = min(0.45 * d_rate, w_rate)
        n_w4 = int(max(500, min(10000, 12 * est)) // 100 * 100)
    log("disk: %.0f commits/s (rollback journal, FULL), %.0f (WAL, FULL) -> W4 adds n=%d" % (d_rate, w_rate, n_w4))

    # W4 restart databases, filled once per side (not timed), copied by each restart run.
    dbs = {}
    for n in (10000, 100000):
        for impl in ("apsched", "apscheduler"):
            path = os.path.join(SHM, "%s-%d.sqlite" % (impl, n))
            R.run(impl, "w4-populate", ["--n", n, "--db", path])
            dbs[(impl, n)] = path

    plan = [
        # key, workload, extra args, figures: (label, json key, higher is better)
        ("w1-10k", "w1", ["--n", 10000], [("W1 10k date jobs: jobs/s", "jobs_per_s", True),
                                          ("W1 10k: first exec after run_date (ms)", "first_exec_after_run_date_ms", False),
                                          ("W1 10k: add_job x N before start (s)", "add_pending_s", False),
                                          ("W1 10k: start() (s)", "start_call_s", False)]),
        ("w1-100k", "w1", ["--n", 100000], [("W1 100k date jobs: jobs/s", "jobs_per_s", True),
                                            ("W1 100k: add_job x N before start (s)", "add_pending_s", False),
                                            ("W1 100k: start() (s)", "start_call_s", False)]),
        ("w2", "w2", [], [("W2 idle: p50 (ms)", "p50_ms", False), ("W2 idle: p99 (ms)", "p99_ms", False),
                          ("W2 idle: max (ms)", "max_ms", False)]),
        ("w2-load", "w2-load", [], [("W2 steady load: p50 (ms)", "p50_ms", False),
                                    ("W2 steady load: p99 (ms)", "p99_ms", False),
                                    ("W2 steady load: bg runs in window (10000)", "bg_exec_in_probe_window", True)]),
        ("w2-burst", "w2-burst", [], [("W2 burst: p50 (ms)", "p50_ms", False), ("W2 burst: p99 (ms)", "p99_ms", False),
                                      ("W2 burst: max (ms)", "max_ms", False),
                                      ("W2 burst: bg runs in window (10000)", "bg_exec_in_probe_window", True)]),
        ("w3-100k", "w3", ["--n", 100000], [("W3 100k cron jobs: bytes/job (RSS)", "bytes_per_job", False),
                                            ("W3 100k cron jobs: adds/s", "adds_per_s", True)]),
        ("w4", "w4", ["--n", n_w4, "--max-add-s", 25],
         [("W4 %d adds to SQLite while running: adds/s" % n_w4, "adds_per_s", True),
                                     ("W4: file bytes/job", "bytes_per_job", False)]),
        ("w4r-10k", "w4-restart", None, [("W4 restart, 10k stored: total (s)", "restart_total_s", False),
                                         ("W4 restart, 10k stored: first wakeup (s)", "restart_first_wakeup_s", False)]),
        ("w4r-100k", "w4-restart", None, [("W4 restart, 100k stored: total (s)", "restart_total_s", False),
                                          ("W4 restart, 100k stored: first wakeup (s)", "restart_first_wakeup_s", False)]),
        ("w5", "w5", ["--n", 1000], [("W5: start() returned before T (1 = yes)", "A_setup_done_before_T", True),
                                     ("W5: phase A executions (2000)", "A_executions", True),
                                     ("W5: exec in first 1 s after restart", "exec_first_1s", True),
                                     ("W5: ... of which catch-up (1000)", "exec_first_1s_catchup", True),
                                     ("W5: catch-up runs per job, max (1)", "catchup_runs_per_job_max", False),
                                     ("W5: all ran once after restart (s)", "all_ran_once_after_restart_s", False),
                                     ("W5: first pass after restart (s)", "B_first_pass_s", False),
                                     ("W5: ERROR records at the A or B shutdown",
                                      ("errors_after_A_shutdown", "errors_after_B_shutdown"), False),
                                     ("W5: ERROR records, other", "errors_other", False),
                                     ("W5: missed events (phase B)", "B_missed_events", False)]),
    ]
    results = {}
    for key, workload, extra, figures in plan:
        results[key] = {"apsched": [], "apscheduler": []}
    leads, lead_notes, floors, wake_floors = {}, [], [], []
    restart_floors = {10000: [], 100000: []}
    for i in range(args.runs):
        order = ("apsched", "apscheduler") if i % 2 == 0 else ("apscheduler", "apsched")
        for key, workload, extra, figures in plan:
            if key == "w4":
                # The disk's commit rate, measured next to each W4 pair (it varies with other I/O).
                floors.append(R.run("apscheduler", "sqlite-floor", ["--n", 300]))
            if key == "w2":
                # The machine's own wake-up lateness, at W2 idle's spacing, next to each W2 idle pair.
                wake_floors.append(R.run("wake-floor", "wake-floor"))
            if workload == "w4-restart":
                # The least a restart that returns N Job snapshots costs here, next to each pair.
                n = 10000 if key == "w4r-10k" else 100000
                restart_floors[n].append(R.run("restart-floor", "restart-floor", ["--db", dbs[("apsched", n)]]))
            for impl in order:
                if workload == "w4-restart":
                    n = 10000 if key == "w4r-10k" else 100000
                    e = ["--db", dbs[(impl, n)]]
                else:
                    e = extra
                if key == "w1-100k" and (impl, key) not in leads and i == 0:
                    # Calibrate the lead: time the N add_job calls before start() at 10k and 20k
                    # (one extra, unreported W1 run) and extrapolate to 100k with the measured
                    # growth, so that the 100k run's set-up ends before run_date.
                    r10 = next((r for r in results["w1-10k"][impl] if r), None)
                    r20 = R.run(impl, "w1", ["--n", 20000, "--lead", 3])
                    if r10 and r20:
                        s10 = r10["add_pending_s"] + r10["start_call_s"]
                        s20 = r20["add_pending_s"] + r20["start_call_s"]
                        p = max(1.0, math.log(max(s20, 1e-9) / max(s10, 1e-9)) / math.log(2))
                        predicted = s10 * 10 ** p
                        # Superlinear growth measured on small n underestimates 100k: wider margin.
                        margin = 1.3 if p < 1.2 else 1.7
                        if predicted > 4.0:  # WORKLOADS.md's 5 s lead would be too tight
                            leads[(impl, key)] = round(predicted * margin + 2, 1)
                            lead_notes.append("%s %s: lead %.1f s instead of 5 s (set-up %.2f s at 10k, %.2f s at "
                                              "20k: grows as n^%.1f, ~%.0f s predicted at 100k)" % (
                                                  impl, key, leads[(impl, key)], s10, s20, p, predicted))
                            log("  " + lead_notes[-1])
                if workload == "w1" and (impl, key) in leads:
                    e = list(e) + ["--lead", leads[(impl, key)]]
                log("run %d/%d %-9s %-11s (%.0f s elapsed, load %s)" % (i + 1, args.runs, key, impl,
                                                                      time.time() - t_start, loadavg()))
                res = R.run(impl, workload, e)
                if workload == "w1" and res and not res.get("setup_done_before_run_date", True):
                    # WORKLOADS.md: a W1 run whose set-up ends after run_date is invalid; increase L.
                    setup = res["add_pending_s"] + res["start_call_s"]
                    leads[(impl, key)] = round(setup * 1.3 + 2, 1)
                    lead_notes.append("%s %s: set-up took %.1f s > lead %.1f s, so that run was discarded and "
                                      "the lead raised to %.1f s" % (impl, key, setup, res["lead_s"],
                                                                     leads[(impl, key)]))
                    log("  " + lead_notes[-1])
                    res = R.run(impl, workload, list(extra) + ["--lead", leads[(impl, key)]])
                results[key][impl].append(res)

    # Cron next-fire-time micro-benchmark (each process takes the best of 3 passes).
    cron = {impl: R.run(impl, "cron", ["--count", 20000]) for impl in ("apsched", "apscheduler")}

    # Scaling series (apsched; APScheduler at 10k and 100k from the runs above, and W3 10k).
    scaling = {}
    for impl in ("apsched", "apscheduler"):
        scaling[(impl, "w3", 10000)] = [R.run(impl, "w3", ["--n", 10000]) for _ in range(args.runs)]
    scaling_notes = []
    if not args.no_scaling:
        def elapsed_s():
            return time.time() - t_start

        def med_of(runs, k):
            v = values([r for r in runs if r], k)
            return statistics.median(v) if v else None

        # W3 at 1M: adds scale linearly (as measured at 10k and 100k).
        w3_wall = med_of(results["w3-100k"]["apsched"], "_wall_s") or 6.0
        est = 10 * w3_wall * 1.1
        if elapsed_s() + est <= args.budget:
            log("scaling: apsched W3 1M (%.0f s elapsed, load %s)" % (elapsed_s(), loadavg()))
            scaling[("apsched", "w3", 1000000)] = [R.run("apsched", "w3", ["--n", 1000000])]
        else:
            scaling_notes.append("W3 at 1M jobs not run: ~%.0f s predicted, over the time budget" % est)

        # W1 at 1M: the lead must cover 1M add_job calls before start(). Extrapolate from
        # 10k -> 100k (per-add cost growth); skip it if that does not fit the budget.
        def setup_of(key):
            v = [r["add_pending_s"] + r["start_call_s"] for r in results[key]["apsched"] if r]
            return statistics.median(v) if v else None
        s10, s100 = setup_of("w1-10k"), setup_of("w1-100k")
        per_add_growth = max(1.0, (s100 / 100000) / (s10 / 10000)) if s10 and s100 else 1.0
        predicted = s100 * 10 * per_add_growth if s100 else 60.0
        drain = 10 * (med_of(results["w1-100k"]["apsched"], "total_s") or 2.0)
        if predicted <= 60 and elapsed_s() + predicted * 1.3 + 3 + drain + 3 <= args.budget:
            lead = round(predicted * 1.3 + 3, 1)
            log("scaling: apsched W1 1M (lead %.1f s) (%.0f s elapsed, load %s)" % (lead, elapsed_s(), loadavg()))
            scaling[("apsched", "w1", 1000000)] = [R.run("apsched", "w1", ["--n", 1000000, "--lead", lead])]
        else:
            scaling_notes.append(
                "W1 at 1M jobs not run as WORKLOADS.md's W1: the N add_job calls before start() took %.2f s at 10k "
                "and %.1f s at 100k (per-add cost x%.1f for 10x the jobs), which predicts ~%.0f s of set-up at 1M"
                % (s10 or 0, s100 or 0, per_add_growth, predicted))
            log("scaling: " + scaling_notes[-1])
            # The fire path alone: the same date jobs added after start(), straight into the store.
            r100 = R.run("apsched", "w1", ["--n", 100000, "--lead", 4, "--add-after-start"])
            scaling[("apsched", "w1-after", 100000)] = [r100]
            if r100 and r100.get("setup_done_before_run_date"):
                adds = 10 * r100["add_pending_s"]
                lead = round(adds * 1.4 + 3, 1)
                est = lead + 10 * r100["total_s"] + 5
                if elapsed_s() + est <= args.budget:
                    log("scaling: apsched W1 1M, adds after start (lead %.1f s) (%.0f s elapsed, load %s)" % (
                        lead, elapsed_s(), loadavg()))
                    scaling[("apsched", "w1-after", 1000000)] = [
                        R.run("apsched", "w1", ["--n", 1000000, "--lead", lead, "--add-after-start"])]
                else:
                    scaling_notes.append("W1 at 1M with adds after start() not run: ~%.0f s predicted, over the "
                                         "time budget" % est)
    facts["load_end"] = loadavg()
    elapsed = time.time() - t_start
    if R.replay is not None:
        elapsed = R.meta.get("run_time_s", elapsed)
        facts.update(R.meta.get("facts", {}))
    elif R.jsonl:
        R.jsonl.write(json.dumps({"_meta": {"facts": facts, "run_time_s": round(elapsed, 1)}}) + "\n")
        R.jsonl.close()
    shutil.rmtree(SHM, ignore_errors=True)

    # ------------------------------------------------------------ report
    out = []
    out.append("apsched vs APScheduler %s — %s" % (facts["apscheduler"], facts["date"]))
    out.append("")
    out.append("Machine: %s cores (nproc), %s, Linux %s; load average %s at start, %s at end." % (
        facts["nproc"], facts["cpu"], facts["kernel"], facts["load_start"], facts["load_end"]))
    out.append("Versions: apsched %s (%s, GCC %s); APScheduler %s, Python %s, SQLAlchemy %s, SQLite %s." % (
        facts["apsched"], facts["build_type"], facts["gcc"], facts["apscheduler"], facts["python"],
        facts["sqlalchemy"], facts["sqlite"]))
    out.append("Disk (%s, measured next to each W4 pair): raw sqlite3, 300 single-row INSERTs each its own "
               "transaction: %s commits/s with the rollback journal + synchronous=FULL (SQLite's default, "
               "APScheduler's store), %s with WAL + FULL (apsched's store), %s with WAL + NORMAL (no fsync per "
               "commit)." % (args.dir, summary(values(floors, "delete_full_commits_per_s"))[0],
                            summary(values(floors, "wal_full_commits_per_s"))[0],
                            summary(values(floors, "wal_normal_commits_per_s"))[0]))
    out.append("%d fresh processes per side and workload, alternating; median (min–max). Ratio: how many times "
               "better apsched is (>1 = apsched better). Events: missed/max_instances/error events and "
               "WARNING+ log records, summed over the runs." % args.runs)
    out.append("")
    out.append("| figure | apsched | APScheduler | ratio | events apsched | events APScheduler |")
    out.append("| --- | --- | --- | --- | --- | --- |")
    for key, workload, extra, figures in plan:
        ra, rp = results[key]["apsched"], results[key]["apscheduler"]
        for j, (label, k, hb) in enumerate(figures):
            sa, ma = summary(values(ra, k))
            sp, mp = summary(values(rp, k))
            rt = ratio(ma, mp, hb)
            ev_a = drops(ra) if j == 0 else ""
            ev_p = drops(rp) if j == 0 else ""
            out.append("| %s | %s | %s | %s | %s | %s |" % (label, sa, sp, ("%.2fx" % rt) if rt else "-", ev_a, ev_p))
    out.append("")
    # validity of the set-ups
    notes = []
    for key, flag in (("w1-10k", "setup_done_before_run_date"), ("w1-100k", "setup_done_before_run_date"),
                      ("w2", "setup_done_before_first_probe"), ("w2-load", "setup_done_before_first_probe"),
                      ("w2-burst", "setup_done_before_first_probe"), ("w5", "A_setup_done_before_T")):
        for impl in ("apsched", "apscheduler"):
            bad = [r for r in results[key][impl] if r and not r.get(flag, True)]
            if bad:
                notes.append("%s %s: %d run(s) with %s = false (set-up not finished in time: that run is invalid)"
                             % (impl, key, len(bad), flag))
            inc = [r for r in results[key][impl] if r and r.get("completed") is False]
            if inc:
                notes.append("%s %s: %d run(s) did not complete" % (impl, key, len(inc)))
    fa = values(floors, "wal_full_commits_per_s")
    fp = values(floors, "delete_full_commits_per_s")
    wa = values(results["w4"]["apsched"], "adds_per_s")
    wp = values(results["w4"]["apscheduler"], "adds_per_s")
    if fa and fp and wa and wp:
        out.append("W4 against the disk: apsched %s durable adds/s next to %s raw WAL + FULL commits/s (one WAL "
                   "fsync per add, so that is its ceiling); APScheduler %s adds/s next to %s raw rollback-journal + "
                   "FULL commits/s (medians)." % (fmt_num(statistics.median(wa)), fmt_num(statistics.median(fa)),
                                                 fmt_num(statistics.median(wp)), fmt_num(statistics.median(fp))))
        out.append("")
    w2a = values(results["w2"]["apsched"], "p99_ms")
    if w2a and any(wake_floors):
        def floor_figure(k):
            return summary(values(wake_floors, k))[0]
        stalls = ""
        counts = values(wake_floors, "sleeps_over_half_ms")
        if counts:
            stalls = ("; %d (%d–%d) of its 500 timed sleeps woke more than 0.5 ms late (the machine's stalls: W2's "
                      "p99 is the 5th-worst of 500 probes)" % (statistics.median(counts), min(counts), max(counts)))
        out.append("W2 idle against the machine: apsched p99 %s ms; with no scheduler at all, at instants spaced "
                   "as W2's (apsched-wake-floor, run next to each W2 idle pair, p99 in ms): a timed sleep wakes "
                   "%s late, a thread that sleeps until 200 µs before and polls the clock sees the instant %s "
                   "late (the machine itself), and a sleeping thread it wakes then starts %s late (the floor of "
                   "any design that runs jobs on a pool thread)%s." % (
                       fmt_num(statistics.median(w2a)), floor_figure("sleep_p99_ms"), floor_figure("spin_p99_ms"),
                       floor_figure("handoff_p99_ms"), stalls))
        out.append("")
    floor_parts = []
    for n, key in ((10000, "w4r-10k"), (100000, "w4r-100k")):
        fl = values(restart_floors[n], "floor_s")
        ra = values(results[key]["apsched"], "restart_total_s")
        rp = values(results[key]["apscheduler"], "restart_total_s")
        if fl and ra and rp:
            floor_parts.append("%s stored: apsched %s s, floor %s s, APScheduler %s s, so at most %.1fx" % (
                "{:,}".format(n), fmt_num(statistics.median(ra)), summary(fl)[0], fmt_num(statistics.median(rp)),
                statistics.median(rp) / statistics.median(fl)))
    if floor_parts:
        out.append("W4 restart against its floor (apsched-restart-floor, run next to each restart pair): SQLite "
                   "reading the same rows in the store's order and building a Job snapshot per row from constants "
                   "(no JSON parsed, no trigger made), the least that any get_jobs() returning every job costs on "
                   "this machine: " + "; ".join(floor_parts) + " (medians).")
        out.append("")
    for impl in ("apsched", "apscheduler"):
        capped = [r for r in results["w4"][impl] if r and r.get("capped")]
        if capped:
            notes.append("%s w4: %d run(s) stopped adding after 25 s (slow disk): %s adds" % (
                impl, len(capped), ", ".join(str(r["n"]) for r in capped)))
    notes = lead_notes + notes
    if notes:
        out.append("Set-up checks: " + "; ".join(notes) + ".")
    else:
        out.append("Set-up checks: every run's set-up finished before its first due time, every run completed.")
    out.append("")

    # targets of the benchmark issue
    def m(key, impl, k):
        v = values(results[key][impl], k)
        return statistics.median(v) if v else None

    def rt(key, k, hb):
        return ratio(m(key, "apsched", k), m(key, "apscheduler", k), hb)

    def fx(v, unit=""):
        return "-" if v is None else fmt_num(v) + unit

    n5 = 1000
    w5 = [r for r in results["w5"]["apsched"] if r]
    w5_errors = sum(values(w5, ("errors_after_A_shutdown", "errors_after_B_shutdown", "errors_other")))
    w5_lost = [r for r in w5 if not (r.get("A_executions") == 2 * n5 and r.get("catchup_runs_total") == n5 and
                                     r.get("catchup_runs_per_job_max") == 1 and
                                     r.get("exec_first_1s_regular") == n5)]
    all_ran = values(w5, "all_ran_once_after_restart_s")
    drops_total = 0
    for key in results:
        drops_total += sum(values(results[key]["apsched"], "missed_events")) + \
            sum(values(results[key]["apsched"], "max_instances_events")) + \
            sum(values(results[key]["apsched"], "error_events"))
    targets = [
        ("W1 10k: >= 50x APScheduler's jobs/s", fx(rt("w1-10k", "jobs_per_s", True), "x"),
         (rt("w1-10k", "jobs_per_s", True) or 0) >= 50),
        ("W1 100k: >= 50x APScheduler's jobs/s", fx(rt("w1-100k", "jobs_per_s", True), "x"),
         (rt("w1-100k", "jobs_per_s", True) or 0) >= 50),
        ("W2 idle: p99 <= 0.2 ms", fx(m("w2", "apsched", "p99_ms"), " ms"),
         (m("w2", "apsched", "p99_ms") or 1e9) <= 0.2),
        ("W2 burst: p99 <= 1 ms", fx(m("w2-burst", "apsched", "p99_ms"), " ms"),
         (m("w2-burst", "apsched", "p99_ms") or 1e9) <= 1.0),
        ("W3 100k cron: <= 300 B/job", fx(m("w3-100k", "apsched", "bytes_per_job"), " B"),
         (m("w3-100k", "apsched", "bytes_per_job") or 1e9) <= 300),
        ("W3 100k cron: >= 50x APScheduler's adds/s", fx(rt("w3-100k", "adds_per_s", True), "x"),
         (rt("w3-100k", "adds_per_s", True) or 0) >= 50),
        ("W4: >= 20x APScheduler's durable adds/s", fx(rt("w4", "adds_per_s", True), "x"),
         (rt("w4", "adds_per_s", True) or 0) >= 20),
        ("W4 restart 10k: >= 10x faster", fx(rt("w4r-10k", "restart_total_s", False), "x"),
         (rt("w4r-10k", "restart_total_s", False) or 0) >= 10),
        ("W4 restart 100k: >= 10x faster and < 1 s", "%s, %s" % (
            fx(rt("w4r-100k", "restart_total_s", False), "x"), fx(m("w4r-100k", "apsched", "restart_total_s"), " s")),
         (rt("w4r-100k", "restart_total_s", False) or 0) >= 10 and
         (m("w4r-100k", "apsched", "restart_total_s") or 1e9) < 1.0),
        ("W5: all 1000 caught up within 50 ms (every run)", "max %s" % fx(max(all_ran) if all_ran else None, " s"),
         bool(all_ran) and len(all_ran) == len(w5) and max(all_ran) <= 0.05),
        ("W5: 0 ERROR records", "%d" % w5_errors, bool(w5) and w5_errors == 0),
        ("W5: no tick lost (2000 in A, one catch-up per job, the T+5 tick for all)",
         "%d of %d runs lose one" % (len(w5_lost), len(w5)), bool(w5) and not w5_lost),
        ("No run missed, skipped or failed (all workloads)", "%d events" % drops_total, drops_total == 0),
    ]
    out.append("Targets (issue 6), apsched medians:")
    out.append("")
    out.append("| target | measured | met |")
    out.append("| --- | --- | --- |")
    for name, measured, ok in targets:
        out.append("| %s | %s | %s |" % (name, measured, "yes" if ok else "**no**"))
    out.append("")

    # cron
    out.append("Cron next-fire-time (µs per call; apsched: the cron plugin via preview_trigger, each next time "
               "strictly after the previous; APScheduler: CronTrigger.get_next_fire_time(prev, prev); "
               "20,000 calls, best of 3):")
    out.append("")
    out.append("| expression | apsched µs | APScheduler µs | ratio |")
    out.append("| --- | --- | --- | --- |")
    ca = (cron.get("apsched") or {}).get("us_per_call", {})
    cp = (cron.get("apscheduler") or {}).get("us_per_call", {})
    for name in cp or ca:
        a, p = ca.get(name), cp.get(name)
        out.append("| %s | %s | %s | %s |" % (name, fmt_num(a), fmt_num(p), ("%.0fx" % (p / a)) if a and p else "-"))
    out.append("")

    # scaling
    out.append("Scaling (apsched; APScheduler where it ran): W1 fire throughput and W3 memory/add rate by number "
               "of jobs. Medians; 1M is one run.")
    out.append("")
    out.append("| jobs | W1 apsched jobs/s | W1 apsched jobs/s, adds after start() | W1 APScheduler jobs/s | "
               "W3 apsched B/job | W3 apsched adds/s | W3 APScheduler B/job | W3 APScheduler adds/s |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")

    def med(runs, k):
        v = values(runs or [], k)
        return statistics.median(v) if v else None

    def cell(runs, k, missing="not run"):
        m = med(runs, k)
        return fmt_num(m) if m is not None else missing

    for n in (10000, 100000, 1000000):
        key1 = "w1-10k" if n == 10000 else "w1-100k"
        w1a = results[key1]["apsched"] if n < 1000000 else scaling.get(("apsched", "w1", n))
        w1p = results[key1]["apscheduler"] if n < 1000000 else None
        w1x = scaling.get(("apsched", "w1-after", n))
        w3a = scaling.get(("apsched", "w3", n)) if n != 100000 else results["w3-100k"]["apsched"]
        w3p = scaling.get(("apscheduler", "w3", n)) if n != 100000 else results["w3-100k"]["apscheduler"]
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            "{:,}".format(n), cell(w1a, "jobs_per_s"), cell(w1x, "jobs_per_s", "-"), cell(w1p, "jobs_per_s"),
            cell(w3a, "bytes_per_job"), cell(w3a, "adds_per_s"), cell(w3p, "bytes_per_job"),
            cell(w3p, "adds_per_s")))
    if any(k[1] == "w1-after" for k in scaling):
        out.append("")
        out.append("\"adds after start()\": the same N date jobs due at one instant, added to the running scheduler "
                   "(straight into the memory store, not the pending list); the fire phase is the same as W1's.")
    for note in scaling_notes:
        out.append("")
        out.append(note + ".")
    if not args.no_scaling:
        out.append("")
        out.append("APScheduler is not run at 1M jobs: at its ~12k adds/s and ~3.3 KB/job that is ~80 s and "
                   "~3.3 GB per workload, which does not fit the 10-minute budget.")
    out.append("")
    if R.failures:
        out.append("Failures: " + "; ".join(R.failures))
        out.append("")
    out.append("Run time: %.0f s (%s)." % (elapsed, "bench/run.py --runs %d" % args.runs))
    text = "\n".join(out)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
