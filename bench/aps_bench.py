#!/usr/bin/python3
"""The workloads of ../shared/bench/WORKLOADS.md on Python APScheduler 3.9.1.

    /usr/bin/python3 bench/aps_bench.py --workload w1|w2|w2-load|w2-burst|w3|w4|w5|cron|sqlite-floor
                                        [--n N] [--dir DIR] [--lead S] [--timeout S] [--count N]
    /usr/bin/python3 bench/aps_bench.py --workload w4-populate --n N --db FILE    (not timed)
    /usr/bin/python3 bench/aps_bench.py --workload w4-restart --db FILE [--dir DIR]

One workload, once, in this process; one JSON line on stdout with the same keys as
apsched-bench. Same rules as the C++ side: 20 thread-pool workers, UTC, job defaults
coalesce=True, max_instances=1, misfire_grace_time=None (60 s in W5), no log output:
records at WARNING and above are counted (log_counts, up to 6 in log_samples).
"""
import argparse
import gc
import json
import logging
import math
import os
import sqlite3
import sys
import threading
import time
from datetime import datetime, timezone

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

UTC = timezone.utc


# ---------------------------------------------------------------- logging and events

class CountingHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.counts = {}
        self.samples = []
        self.records = []  # (levelno, time.time())

    def emit(self, record):
        self.counts[record.levelname.lower()] = self.counts.get(record.levelname.lower(), 0) + 1
        self.records.append((record.levelno, record.created))
        if len(self.samples) < 6:
            self.samples.append("%s: %s" % (record.levelname.lower(), record.getMessage()))


LOG = CountingHandler()
logging.getLogger().addHandler(LOG)
logging.getLogger().setLevel(logging.WARNING)


class EventCounter:
    def __init__(self):
        self.missed = self.max_instances = self.errors = 0

    def attach(self, sched):
        sched.add_listener(self._on, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR)

    def _on(self, e):
        if e.code == EVENT_JOB_MISSED:
            self.missed += 1
        elif e.code == EVENT_JOB_MAX_INSTANCES:
            self.max_instances += 1
        elif e.code == EVENT_JOB_ERROR:
            self.errors += 1

    def report(self, out, prefix=""):
        out[prefix + "missed_events"] = self.missed
        out[prefix + "max_instances_events"] = self.max_instances
        out[prefix + "error_events"] = self.errors


def log_fields(out):
    out["log_counts"] = dict(sorted(LOG.counts.items()))
    out["log_samples"] = LOG.samples
    return out


def make_scheduler(jobstore, grace=None):
    return BackgroundScheduler(
        jobstores={"default": jobstore},
        executors={"default": ThreadPoolExecutor(20)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=UTC)


def sqlite_store(path):
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    return SQLAlchemyJobStore(url="sqlite:///" + path)


def utc(t):
    return datetime.fromtimestamp(t, UTC)


def r(v, digits=6):
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else round(v, digits)


def remove_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return -1


def wrap_passes(sched, passes):
    """Records each processing pass of the scheduler thread as (start, end, returned wait)."""
    inner = sched._process_jobs

    def wrapper():
        start = time.time()
        wait = inner()
        passes.append((start, time.time(), sched.state, wait))
        return wait

    sched._process_jobs = wrapper


# ---------------------------------------------------------------- W1

W1 = {"lock": threading.Lock(), "count": 0, "target": 0, "first": None, "done": None, "event": threading.Event()}


def w1_count():
    with W1["lock"]:
        W1["count"] += 1
        c = W1["count"]
        if c == 1:
            W1["first"] = time.time()
        if c == W1["target"]:
            W1["done"] = time.time()
            W1["event"].set()


def w1(a):
    n = a.n or 10000
    lead = a.lead or (1.0 if n <= 10000 else 5.0)
    sched = make_scheduler(MemoryJobStore())
    ev = EventCounter()
    ev.attach(sched)
    W1["target"] = n
    t0 = time.time()
    run_date_t = t0 + lead
    run_date = utc(run_date_t)
    a0 = time.perf_counter()
    for i in range(n):
        sched.add_job(w1_count, "date", run_date=run_date, id="w1-%07d" % i)
    a1 = time.perf_counter()
    sched.start()
    a2 = time.perf_counter()
    started = time.time()
    done = W1["event"].wait(max(0.0, run_date_t + a.timeout - time.time()))
    with W1["lock"]:
        first, last, executed = W1["first"], W1["done"], W1["count"]
    sched.shutdown(wait=True)
    total = (last - run_date_t) if done else None
    out = {"impl": "apscheduler", "workload": "w1", "n": n, "lead_s": lead,
           "setup_done_before_run_date": started < run_date_t, "setup_margin_s": r(run_date_t - started),
           "completed": done, "executed": executed,
           "total_s": r(total), "jobs_per_s": r(n / total, 1) if total else None,
           "first_exec_after_run_date_ms": r((first - run_date_t) * 1e3, 3) if first else None,
           "drain_s": r(last - first) if done else None,
           "add_pending_s": r(a1 - a0), "start_call_s": r(a2 - a1)}
    ev.report(out)
    return log_fields(out)


# ---------------------------------------------------------------- W2

W2 = {"lock": threading.Lock(), "entry": [], "run": 0, "event": threading.Event(),
      "bg": 0, "bg_window": 0, "win": (0.0, 0.0)}


def w2_probe(i):
    entry = time.time()
    with W2["lock"]:
        if W2["entry"][i] is None:
            W2["entry"][i] = entry
            W2["run"] += 1
            if W2["run"] == len(W2["entry"]):
                W2["event"].set()


def w2_bg():
    entry = time.time()
    with W2["lock"]:
        W2["bg"] += 1
        if W2["win"][0] <= entry < W2["win"][1]:
            W2["bg_window"] += 1


def nearest_rank(sorted_values, pct):
    if not sorted_values:
        return None
    rank = min(max(1, math.ceil(pct / 100.0 * len(sorted_values))), len(sorted_values))
    return sorted_values[rank - 1]


def w2(a, variant):
    probes, background = 500, 2000
    sched = make_scheduler(MemoryJobStore())
    ev = EventCounter()
    ev.attach(sched)
    S = time.time()
    W2["entry"] = [None] * probes
    W2["win"] = (S + 1.0, S + 6.0)
    run_dates = []
    for i in range(probes):
        t = S + 1.0 + i * (5.0 / probes)
        run_dates.append(t)
        sched.add_job(w2_probe, "date", run_date=utc(t), args=[i], id="w2p-%07d" % i)
    if variant != "w2":
        for k in range(background):
            start = S + k / background if variant == "w2-load" else S
            sched.add_job(w2_bg, "interval", seconds=1, start_date=utc(start), id="w2b-%07d" % k)
    sched.start()
    started = time.time()
    done = W2["event"].wait(max(0.0, S + 6.0 + a.timeout - time.time()))
    with W2["lock"]:
        lat = sorted((W2["entry"][i] - run_dates[i]) * 1e3 for i in range(probes) if W2["entry"][i] is not None)
        probes_run = W2["run"]
    left = S + 6.0 - time.time()
    if left > 0:
        time.sleep(left)
    with W2["lock"]:
        bg_window, bg_total = W2["bg_window"], W2["bg"]
    sched.shutdown(wait=True)
    out = {"impl": "apscheduler", "workload": variant, "n": probes,
           "setup_done_before_first_probe": started < S + 1.0, "setup_margin_s": r(S + 1.0 - started),
           "completed": done, "probes_run": probes_run,
           "p50_ms": r(nearest_rank(lat, 50), 4), "p99_ms": r(nearest_rank(lat, 99), 4),
           "max_ms": r(lat[-1], 4) if lat else None, "min_ms": r(lat[0], 4) if lat else None,
           "mean_ms": r(sum(lat) / len(lat), 4) if lat else None}
    if variant != "w2":
        out["bg_exec_in_probe_window"] = bg_window
        out["bg_exec_total"] = bg_total
    ev.report(out)
    return log_fields(out)


# ---------------------------------------------------------------- W3

def noop():
    pass


def w3(a):
    n = a.n or 100000
    sched = make_scheduler(MemoryJobStore())
    ev = EventCounter()
    ev.attach(sched)
    sched.start(paused=True)
    sched.add_job(noop, "cron", minute="*/5", id="w3-warmup")
    sched.remove_job("w3-warmup")
    gc.collect()
    rss_before = rss_bytes()
    t0 = time.perf_counter()
    for i in range(n):
        sched.add_job(noop, "cron", minute="*/5", id="w3-%07d" % i)
    add_s = time.perf_counter() - t0
    gc.collect()
    rss_after = rss_bytes()
    stored = len(sched.get_jobs())
    sched.shutdown(wait=True)
    out = {"impl": "apscheduler", "workload": "w3", "n": n,
           "bytes_per_job": r((rss_after - rss_before) / n, 1), "add_s": r(add_s), "adds_per_s": r(n / add_s, 1),
           "rss_before": rss_before, "rss_after": rss_after, "jobs_in_store": stored}
    ev.report(out)
    return log_fields(out)


# ---------------------------------------------------------------- W4

W4_FORMAT = "SQLAlchemy row: pickled job state"
W4_JOURNAL = "rollback journal (DELETE), synchronous=FULL, one transaction per add"


def w4_adds(path, n, ev, max_s=0.0):
    """N adds; with max_s > 0 it stops after that long. Returns (seconds, adds made)."""
    sched = make_scheduler(sqlite_store(path))
    ev.attach(sched)
    sched.start()
    t0 = time.perf_counter()
    done = n
    for i in range(n):
        sched.add_job(noop, "interval", hours=1, id="w4-%07d" % i)
        if max_s > 0 and i % 64 == 63 and time.perf_counter() - t0 > max_s:
            done = i + 1
            break
    add_s = time.perf_counter() - t0
    sched.shutdown(wait=True)
    return add_s, done


def w4_restart(path, ev, out):
    """W4 (b): new scheduler, new store object on the same file."""
    sched = make_scheduler(sqlite_store(path))
    ev.attach(sched)
    passes = []
    wrap_passes(sched, passes)
    q0 = time.perf_counter()
    q0_wall = time.time()
    sched.start()
    q1 = time.perf_counter()
    jobs = sched.get_jobs()
    q2 = time.perf_counter()
    deadline = time.time() + 60
    while not passes and time.time() < deadline:
        time.sleep(0.001)
    out.update({"restart_start_return_s": r(q1 - q0), "restart_get_jobs_s": r(q2 - q1),
                "restart_total_s": r(q2 - q0), "restart_jobs_loaded": len(jobs),
                "restart_first_wakeup_s": r(passes[0][1] - q0_wall) if passes else None,
                "restart_first_wakeup_how": "q0 to the end of the scheduler thread's first _process_jobs"})
    sched.shutdown(wait=True)
    return len(jobs)


def w4(a):
    n = a.n or 10000
    os.makedirs(a.dir, exist_ok=True)
    path = os.path.join(a.dir, "aps-w4-%d.sqlite" % os.getpid())
    remove_db(path)
    ev = EventCounter()
    add_s, done = w4_adds(path, n, ev, a.max_add_s)
    out = {"impl": "apscheduler", "workload": "w4", "n": done}
    if done < n:
        out.update({"capped": True, "n_asked": n})
    n = done
    size = os.path.getsize(path)
    out.update({"add_s": r(add_s), "adds_per_s": r(n / add_s, 1), "file_bytes": size,
                "bytes_per_job": r(size / n, 1), "format": W4_FORMAT, "journal": W4_JOURNAL})
    w4_restart(path, ev, out)
    remove_db(path)
    ev.report(out)
    return log_fields(out)


def w4_populate(a):
    """Fills --db with N W4 jobs, not timed. The rows are exactly those SQLAlchemyJobStore.add_job
    writes (same table, same id/next_run_time/pickled state), but inserted in one transaction:
    one commit per job would take minutes for 100k jobs."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.util import datetime_to_utc_timestamp
    import pickle

    class CollectingStore(SQLAlchemyJobStore):
        rows = []

        def add_job(self, job):
            self.rows.append({"id": job.id, "next_run_time": datetime_to_utc_timestamp(job.next_run_time),
                              "job_state": pickle.dumps(job.__getstate__(), self.pickle_protocol)})

    n = a.n or 10000
    remove_db(a.db)
    store = CollectingStore(url="sqlite:///" + a.db)
    sched = make_scheduler(store)
    sched.start(paused=True)
    t0 = time.perf_counter()
    for i in range(n):
        sched.add_job(noop, "interval", hours=1, id="w4-%07d" % i)
    with store.engine.begin() as conn:
        conn.execute(store.jobs_t.insert(), store.rows)
    add_s = time.perf_counter() - t0
    sched.shutdown(wait=True)
    return log_fields({"impl": "apscheduler", "workload": "w4-populate", "n": n, "db": a.db, "add_s": r(add_s),
                       "file_bytes": os.path.getsize(a.db)})


def w4_restart_only(a):
    """W4 (b) alone: copies --db (made by w4-populate) into --dir and restarts on the copy."""
    import shutil
    os.makedirs(a.dir, exist_ok=True)
    path = os.path.join(a.dir, "aps-w4r-%d.sqlite" % os.getpid())
    remove_db(path)
    shutil.copyfile(a.db, path)
    ev = EventCounter()
    out = {"impl": "apscheduler", "workload": "w4-restart"}
    out["n"] = w4_restart(path, ev, out)
    out["file_bytes"] = os.path.getsize(path)
    remove_db(path)
    ev.report(out)
    return log_fields(out)


# ---------------------------------------------------------------- W5

W5 = {"lock": threading.Lock(), "phase": 0, "log": []}


def w5_job(i):
    entry = time.time()
    with W5["lock"]:
        W5["log"].append((W5["phase"], i, entry))


def w5(a):
    n = a.n or 1000
    lead = a.lead or 3.0
    os.makedirs(a.dir, exist_ok=True)
    path = os.path.join(a.dir, "aps-w5-%d.sqlite" % os.getpid())
    remove_db(path)
    out = {"impl": "apscheduler", "workload": "w5", "n": n}
    executed = []  # (phase, job id, scheduled_run_time as POSIX seconds), in event order

    def on_executed(e):
        executed.append((W5["phase"], e.job_id, e.scheduled_run_time.timestamp()))

    # Phase A
    T = time.time() + lead
    ev_a, ev_b = EventCounter(), EventCounter()
    passes_a, passes_b = [], []
    W5["phase"] = 1
    sched = make_scheduler(sqlite_store(path), grace=60)
    ev_a.attach(sched)
    sched.add_listener(on_executed, EVENT_JOB_EXECUTED)
    wrap_passes(sched, passes_a)
    for i in range(n):
        sched.add_job(w5_job, "interval", seconds=1, start_date=utc(T), args=[i], id="w5-%05d" % i)
    sched.start()
    started = time.time()
    out["A_setup_done_before_T"] = started < T
    out["A_setup_margin_s"] = r(T - started)
    time.sleep(max(0.0, T + 1.5 - time.time()))
    a_shutdown_call = time.time()
    m0 = time.perf_counter()
    sched.shutdown(wait=True)
    out["A_shutdown_s"] = r(time.perf_counter() - m0)
    with W5["lock"]:
        W5["phase"] = 2
    time.sleep(max(0.0, T + 4.5 - time.time()))

    # Phase B
    sched = make_scheduler(sqlite_store(path), grace=60)
    ev_b.attach(sched)
    sched.add_listener(on_executed, EVENT_JOB_EXECUTED)
    wrap_passes(sched, passes_b)
    R = time.time()
    sched.start()
    deadline = R + a.timeout
    while time.time() < deadline:
        with W5["lock"]:
            ran = {i for (p, i, t) in W5["log"] if p == 2 and t >= R}
        if len(ran) >= n and time.time() >= R + 1.0:
            break
        time.sleep(0.01)
    b_shutdown_call = time.time()
    sched.shutdown(wait=True)
    remove_db(path)

    # Pair each job's log entries with its executed events (max_instances=1: same order).
    with W5["lock"]:
        log = list(W5["log"])
    sched_times = {}
    for phase, job_id, st in executed:
        sched_times.setdefault((phase, int(job_id.split("-")[1])), []).append(st)
    entries = {}
    for phase, i, t in log:
        entries.setdefault((phase, i), []).append(t)
    rows = []  # (phase, i, entry, scheduled or None)
    for key, ts in entries.items():
        ss = sched_times.get(key, [])
        for k, t in enumerate(ts):
            rows.append((key[0], key[1], t, ss[k] if k < len(ss) else None))

    a_exec = 0
    a_by_offset = {}
    first_1s = first_1s_catchup = first_1s_regular = catchup_total = unpaired = 0
    catchup_per_job, catchup_offsets, first_after_r = {}, set(), {}
    for phase, i, t, st in rows:
        if st is None:
            unpaired += 1
        if phase == 1:
            a_exec += 1
            if st is not None:
                key = str(round(st - T))
                a_by_offset[key] = a_by_offset.get(key, 0) + 1
            continue
        if R <= t < R + 1.0:
            first_1s += 1
            if st is not None and st < R:
                first_1s_catchup += 1
            else:
                first_1s_regular += 1
        if st is not None and st < R:
            catchup_total += 1
            catchup_per_job[i] = catchup_per_job.get(i, 0) + 1
            catchup_offsets.add(round(st - T, 3))
        if t >= R:
            first_after_r[i] = min(first_after_r.get(i, t), t)
    errors_after_a = errors_after_b = errors_other = 0
    for levelno, at in LOG.records:
        if levelno < logging.ERROR:
            continue
        if at >= b_shutdown_call:
            errors_after_b += 1
        elif a_shutdown_call <= at < R:
            errors_after_a += 1
        else:
            errors_other += 1

    def rel(passes):
        return [[r(s - T, 4), r(e - T, 4), st, r(w, 4) if w is not None else None] for s, e, st, w in passes]

    out.update({
        "A_executions": a_exec, "A_exec_by_sched_offset_s": dict(sorted(a_by_offset.items())),
        "exec_first_1s": first_1s, "exec_first_1s_catchup": first_1s_catchup,
        "exec_first_1s_regular": first_1s_regular,
        "catchup_runs_total": catchup_total,
        "catchup_runs_per_job_max": max(catchup_per_job.values()) if catchup_per_job else 0,
        "catchup_sched_offset_s": sorted(catchup_offsets),
        "jobs_run_after_restart": len(first_after_r),
        "all_ran_once_after_restart_s": r(max(t - R for t in first_after_r.values()))
        if len(first_after_r) == n else None,
        "first_run_after_restart_s": r(min(t - R for t in first_after_r.values())) if first_after_r else None,
        "B_first_pass_s": r(passes_b[0][1] - passes_b[0][0]) if passes_b else None,
        "B_first_pass_how": "duration of the scheduler thread's first _process_jobs",
        "A_missed_events": ev_a.missed, "A_max_instances_events": ev_a.max_instances,
        "B_missed_events": ev_b.missed, "B_max_instances_events": ev_b.max_instances,
        "error_events": ev_a.errors + ev_b.errors,
        "errors_after_A_shutdown": errors_after_a, "errors_after_B_shutdown": errors_after_b,
        "errors_other": errors_other,
        "missed_events": ev_a.missed + ev_b.missed, "max_instances_events": ev_a.max_instances + ev_b.max_instances,
        "executions_without_event": unpaired,
        "A_passes_rel_T": rel(passes_a), "B_passes_rel_T": rel(passes_b)})
    return log_fields(out)


# ---------------------------------------------------------------- cron next-fire-time

CRON_CASES = [
    ("minute='*/5'", dict(minute="*/5")),
    ("second='*/10'", dict(second="*/10")),
    ("day_of_week='mon-fri', hour=9, minute=30", dict(day_of_week="mon-fri", hour=9, minute=30)),
    ("day='last', hour=0", dict(day="last", hour=0)),
    ("hour='*/2', minute=15, Europe/Berlin", dict(hour="*/2", minute=15, timezone="Europe/Berlin")),
]


def cron(a):
    count = a.count
    start = datetime(2026, 1, 1, tzinfo=UTC)
    per_call = {}
    for name, fields in CRON_CASES:
        fields = dict(fields)
        fields.setdefault("timezone", UTC)
        trigger = CronTrigger(**fields)
        best = None
        for _ in range(3):
            t0 = time.perf_counter()
            nxt = trigger.get_next_fire_time(None, start)
            got = 1
            while got < count:
                nxt = trigger.get_next_fire_time(nxt, nxt)
                got += 1
            el = (time.perf_counter() - t0) / count
            best = el if best is None else min(best, el)
        per_call[name] = round(best * 1e6, 4)
    return log_fields({"impl": "apscheduler", "workload": "cron", "count": count, "us_per_call": per_call})


# ---------------------------------------------------------------- durability floor

def sqlite_floor(a):
    """Raw sqlite3: single-row INSERTs, each its own transaction (the fsync rate of the disk)."""
    n = a.n or 1000
    os.makedirs(a.dir, exist_ok=True)
    out = {"impl": "sqlite3", "workload": "sqlite-floor", "n": n, "sqlite": sqlite3.sqlite_version}
    for journal, sync in (("DELETE", "FULL"), ("WAL", "FULL"), ("WAL", "NORMAL")):
        path = os.path.join(a.dir, "floor-%d.sqlite" % os.getpid())
        remove_db(path)
        con = sqlite3.connect(path, isolation_level=None)
        con.execute("PRAGMA journal_mode=%s" % journal)
        con.execute("PRAGMA synchronous=%s" % sync)
        con.execute("CREATE TABLE t (id TEXT PRIMARY KEY, v BLOB)")
        t0 = time.perf_counter()
        for i in range(n):
            con.execute("INSERT INTO t VALUES (?, ?)", ("k%07d" % i, b"x" * 400))
        el = time.perf_counter() - t0
        con.close()
        remove_db(path)
        out["%s_%s_commits_per_s" % (journal.lower(), sync.lower())] = r(n / el, 1)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workload", required=True,
                   choices=["w1", "w2", "w2-load", "w2-burst", "w3", "w4", "w4-populate", "w4-restart", "w5",
                            "cron", "sqlite-floor"])
    p.add_argument("--n", type=int, default=0)
    p.add_argument("--dir", default="/tmp/apsbench")
    p.add_argument("--lead", type=float, default=0.0)
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--max-add-s", type=float, default=0.0, help="w4: stop adding after this long (0: never)")
    p.add_argument("--db", default="", help="w4-populate/w4-restart: the prepared database file")
    a = p.parse_args()
    if a.workload == "w1":
        out = w1(a)
    elif a.workload in ("w2", "w2-load", "w2-burst"):
        out = w2(a, a.workload)
    elif a.workload == "w3":
        out = w3(a)
    elif a.workload == "w4":
        out = w4(a)
    elif a.workload == "w4-populate":
        out = w4_populate(a)
    elif a.workload == "w4-restart":
        out = w4_restart_only(a)
    elif a.workload == "w5":
        out = w5(a)
    elif a.workload == "cron":
        out = cron(a)
    else:
        out = sqlite_floor(a)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
