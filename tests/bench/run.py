"""campaign-bot benchmarks: `python tests/bench/run.py [--quick] [--json PATH] [--only pace,store] [--data-key]`.

1. pace     A broadcast at Telegram's pace: the stand-in (`python -m bot.tryout.standin --rate 30 --latency 0.08`,
            a separate process) and the real Application; sustained msg/s, 429s, deliveries not sent.
            Baseline: a naive sequential send loop, run during the broadcast against a second stand-in
            process with the same configuration (`--serial-baselines`: afterwards, on the same one).
2. ceiling  The sender's ceiling: stand-in without limit or latency, the bot's global rate lifted
            (Settings.send_rate=0, i.e. BOT_SEND_RATE=0). Baselines: the naive loop, and the same
            broadcaster on PTB's default HTTPXRequest.
4. crowd    300 members send `/case asif` at once: answers/s and p99 time to answer at Telegram's pace
            (30/s, 1/s per chat, 80 ms) and with the limits lifted. Baseline: the same bot handling one
            update at a time (BOT_MAX_CONCURRENT_UPDATES=1).
5. during   Replies during a broadcast: 50 members send commands over 10 s while a 10,000-member broadcast
            drains at 30/s; p99 time to answer, and the broadcast's rate beside what the replies leave it.
6. scale    `campaign-bot run` as a process with 100,000 members and 1,000 cases stored: cold start (process
            start to the first answer), RSS after a crowd of 300, time to answer a subscribe; the same
            at 1,000,000 members, reported.
3. store    100,000 chats in the store; subscribe/unsubscribe at 50/s from the event loop: latency and
            the loop's longest block, plus what a journal compaction costs at that size. Baseline:
            single-record updates with TinyDB's default JSONStorage holding the same records in one table.

Each figure is printed with the naive baseline measured in the same run and the ratio between them.
It is a measurement, not a test: the exit status is 0 even when a target is missed (the misses are
listed at the end), and 1 only if a scenario could not be run at all. Only 127.0.0.1 traffic; every
loop is bounded in count and time; the stand-in processes are always stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import math
import os
import platform
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helper modules next to this file

import bench_broadcast
import bench_crowd
import bench_scale
import bench_store

from bot.store.chats import SHARDS

SCENARIOS = ("pace", "ceiling", "store", "crowd", "during", "scale")


@dataclass(frozen=True)
class Plan:
    pace_recipients: int
    pace_naive: int
    ceiling_recipients: int
    ceiling_repeats: int
    ceiling_naive: int
    httpx_variant: bool
    store_members: int
    store_operations: int
    store_rate: float
    store_repeats: int
    store_probe_operations: int
    store_baseline_updates: int
    crowd_members: int
    crowd_baseline_members: int
    during_recipients: int
    during_members: int
    during_spread: float
    scale_members: int
    scale_cases: int
    scale_crowd: int
    scale_million: bool


FULL = Plan(pace_recipients=10_000, pace_naive=1_000, ceiling_recipients=10_000, ceiling_repeats=3,
            ceiling_naive=2_000, httpx_variant=True, store_members=100_000, store_operations=1_000, store_rate=50.0,
            store_repeats=3, store_probe_operations=250, store_baseline_updates=5, crowd_members=300,
            crowd_baseline_members=100, during_recipients=10_000, during_members=50, during_spread=10.0,
            scale_members=100_000, scale_cases=1_000, scale_crowd=300, scale_million=True)
QUICK = Plan(pace_recipients=300, pace_naive=100, ceiling_recipients=1_000, ceiling_repeats=1,
             ceiling_naive=300, httpx_variant=False, store_members=20_000, store_operations=150, store_rate=50.0,
             store_repeats=1, store_probe_operations=60, store_baseline_updates=3, crowd_members=40,
             crowd_baseline_members=20, during_recipients=600, during_members=15, during_spread=3.0,
             scale_members=20_000, scale_cases=100, scale_crowd=50, scale_million=False)

PACE_TARGET = 29.1  # 97 % of 30/s
CEILING_TARGET = 500.0
P50_TARGET_MS = 5.0
P99_TARGET_MS = 50.0
LOOP_BLOCK_TARGET_MS = 50.0
CROWD_TARGET = 29.1  # answers/s: 97 % of 30
CROWD_P99_TARGET_S = 12.0
CROWD_LIFTED_TARGET = 200.0
DURING_P99_TARGET_S = 1.5
COLD_START_TARGET_S = 1.0
RSS_TARGET_MB = 150.0


@dataclass
class Row:
    figure: str
    value: float | None
    unit: str
    target: str
    baseline: float | None = None
    ratio: float | None = None
    status: str = "info"  # PASS, FAIL or info


def _ok(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not (_ok(a) and _ok(b)) or not b:
        return None
    return a / b


def _at_least(value: float | None, target: float) -> str:
    return "PASS" if value is not None and _ok(value) and value >= target else "FAIL"


def _at_most(value: float | None, target: float) -> str:
    return "PASS" if value is not None and _ok(value) and value <= target else "FAIL"


# --- rows from each scenario's raw figures ------------------------------------------------------------------


def pace_rows(result: dict[str, Any]) -> list[Row]:
    run, naive = result["run"], result["naive"]
    n = run["recipients"]
    sustained, overall = run["rate_after_first_second"], run["rate_overall"]
    loop = run["loop"] or {}
    return [
        Row(f"1 broadcast @30/s, N={n}: msg/s after the 1st second", sustained, "msg/s", f">= {PACE_TARGET}",
            naive["rate"], _ratio(sustained, naive["rate"]), _at_least(sustained, PACE_TARGET)),
        Row("1   msg/s from the start (1st-second burst included)", overall, "msg/s", "info",
            naive["rate"], _ratio(overall, naive["rate"])),
        Row("1   slowest full second after the 1st", run["slowest_full_second_after_first"], "msg", "info"),
        Row("1   429s the stand-in returned", run["standin_429"], "", "info", naive["standin_429"]),
        Row("1   RetryAfter waited out by the limiter / given up", run["limiter_retry_after_waited"], "",
            f"info ({run['limiter_retry_after_gave_up']} given up)"),
        Row("1   deliveries not SENT in the report (RetryAfter etc.)", run["not_sent"], "", "= 0", None, None,
            "PASS" if run["not_sent"] == 0 and run["state"] == "done" and not run["timed_out"] else "FAIL"),
        Row("1   event loop's longest block during the broadcast", loop.get("max_ms"), "ms",
            f"info (longest GC {_fmt(loop.get('gc_max_ms'))} ms)"),
    ]


def ceiling_rows(result: dict[str, Any]) -> list[Row]:
    runs, naive, httpx = result["runs"], result["naive"], result["httpx_run"]
    n = runs[0]["recipients"] if runs else 0
    end_to_end = result["median_rate_end_to_end"]
    not_sent = sum(r["not_sent"] for r in runs)
    rows = [
        Row(f"2 ceiling, N={n}: msg/s end to end (median of {len(runs)})", end_to_end, "msg/s",
            f">= {CEILING_TARGET:g}", naive["rate"], _ratio(end_to_end, naive["rate"]),
            _at_least(end_to_end, CEILING_TARGET)),
        Row("2   msg/s after the 1st second (median)", result["median_rate_after_first_second"], "msg/s", "info",
            naive["rate"], _ratio(result["median_rate_after_first_second"], naive["rate"])),
    ]
    if httpx is not None:
        rows.append(Row("2   vs the same broadcaster on PTB's HTTPXRequest", end_to_end, "msg/s", "info",
                        httpx["rate_end_to_end"], _ratio(end_to_end, httpx["rate_end_to_end"])))
    rows.append(Row("2   CPU busy during the runs: bot process (1.00 = one core)",
                    result["median_cpu_busy_bot_process"], "", "info (stand-in "
                    f"{_fmt(result['median_cpu_busy_standin_process'])})"))
    rows.append(Row("2   deliveries not SENT (all runs)", not_sent, "", "= 0", None, None,
                    "PASS" if not_sent == 0 and all(r["state"] == "done" for r in runs) else "FAIL"))
    rows.append(Row("2   global rate lifted by BOT_SEND_RATE=0 (Settings.send_rate)",
                    1.0 if result["limit_lifted_by_setting"] else 0.0, "yes=1", "info"))
    return rows


def store_rows(result: dict[str, Any]) -> list[Row]:
    ops, baseline, probe, steady = result["ops"], result["baseline"], result["compaction_probe"], result["steady_state"]
    members = result["load"]["members"]
    base = baseline["p50_ms"]
    share = steady["share_over_50ms"]
    each = f"{ops['operations_per_repeat']} ops @{ops['rate_per_s']:g}/s"
    rows = [
        Row(f"3 store {members:,} chats, {each} x{ops['repeats']}: p50 (median)", ops["p50_ms"], "ms",
            f"<= {P50_TARGET_MS:g}", base, _ratio(base, ops["p50_ms"]), _at_most(ops["p50_ms"], P50_TARGET_MS)),
        Row("3   p99 (median of the repeats)", ops["p99_ms"], "ms", f"<= {P99_TARGET_MS:g}", base,
            _ratio(base, ops["p99_ms"]), _at_most(ops["p99_ms"], P99_TARGET_MS)),
        Row("3   p99 of the worst repeat", ops["p99_ms_worst_repeat"], "ms", "info"),
        Row("3   max", ops["max_ms"], "ms", "info", base, _ratio(base, ops["max_ms"])),
        Row("3   ... time on the store thread per call p50 / p99", ops["store_thread_p50_ms"], "ms",
            f"info (p99 {ops['store_thread_p99_ms']:.1f})"),
        Row("3   ... journal fdatasync p50 / p99 / max", ops["fdatasync_p50_ms"], "ms",
            f"info (p99 {ops['fdatasync_p99_ms']:.1f}, max {ops['fdatasync_max_ms']:.1f})"),
        Row("3   event loop's longest block (all repeats)", ops["loop_max_ms"], "ms",
            f"<= {LOOP_BLOCK_TARGET_MS:g} (longest GC {_fmt(ops['gc_max_ms'])} ms)", None, None,
            _at_most(ops["loop_max_ms"], LOOP_BLOCK_TARGET_MS)),
        Row("3   operations acknowledged", ops["acknowledged"], "", f"= {ops['operations']}", None, None,
            "PASS" if ops["acknowledged"] == ops["operations"] else "FAIL"),
        Row("3   a full GC pass at this size (Python runs one now and then)", result["full_gc_s"] * 1000, "ms",
            "info (blocks the loop)"),
        Row("3   compaction at this size (journal -> snapshot)", probe["compaction_s"] * 1000, "ms", "info"),
        Row("3   ... op max latency / p99 while it compacts", probe["ops"]["max_ms"], "ms",
            f"info (p99 {probe['ops']['p99_ms']:.1f})"),
        Row("3   ... event loop's longest block while it compacts", probe["loop"]["max_ms"], "ms", "info"),
    ]
    if share is not None:
        every = f"{steady['ops_between_compactions']:,.0f}"
        rows.append(Row(f"3   steady state: ops > 50 ms (a compaction every ~{every} ops)", share * 100, "%",
                        "info (< 1 % keeps p99 <= 50)"))
    rows += [
        Row(f"3   bulk load ({SHARDS} insert_multiple + compact)", result["load"]["total_s"], "s", "info"),
        Row("3   cold reopen (snapshot load)", result["reopen_s"], "s", "info"),
    ]
    return rows


def crowd_rows(result: dict[str, Any]) -> list[Row]:
    paced, one = result["paced"], result["paced_one_at_a_time"]
    lifted, lifted_one = result["lifted"], result["lifted_one_at_a_time"]
    n = paced["members"]
    return [
        Row(f"4 crowd of {n} @30/s, 1/s per chat, 80 ms: answers/s", paced["answers_per_s"], "/s",
            f">= {CROWD_TARGET}", one["answers_per_s"], _ratio(paced["answers_per_s"], one["answers_per_s"]),
            _at_least(paced["answers_per_s"], CROWD_TARGET)),
        Row("4   p99 time to answer", paced["p99_s"], "s", f"<= {CROWD_P99_TARGET_S:g}", one["p99_s"], None,
            _at_most(paced["p99_s"], CROWD_P99_TARGET_S)),
        Row("4   members answered", paced["answered"], "", f"= {n}", None, None,
            "PASS" if paced["answered"] == n else "FAIL"),
        Row("4   429s the stand-in returned (waited out, never surfaced)", paced["standin_429"], "", "info"),
        Row(f"4 crowd of {lifted['members']}, limits lifted, 80 ms: answers/s", lifted["answers_per_s"], "/s",
            f">= {CROWD_LIFTED_TARGET:g}", lifted_one["answers_per_s"],
            _ratio(lifted["answers_per_s"], lifted_one["answers_per_s"]),
            _at_least(lifted["answers_per_s"], CROWD_LIFTED_TARGET)),
    ]


def during_rows(result: dict[str, Any]) -> list[Row]:
    left = 0.97 * (30 - result["replies_rate"])
    return [
        Row(f"5 {result['members']} replies during a {result['recipients']:,} broadcast: p99 to answer",
            result["p99_s"], "s", f"<= {DURING_P99_TARGET_S:g}", None, None,
            _at_most(result["p99_s"], DURING_P99_TARGET_S)),
        Row("5   p50 / max to answer", result["p50_s"], "s", f"info (max {result['max_s']:.2f})"),
        Row("5   broadcast msg/s meanwhile", result["broadcast_rate"], "msg/s", f">= {left:.1f} (97 % of 30 - replies)",
            None, None, _at_least(result["broadcast_rate"], left)),
    ]


def scale_rows(result: dict[str, Any]) -> list[Row]:
    rows = []
    for key, label in (("m100k", "6"), ("m1", "6")):
        if key not in result:
            continue
        r = result[key]
        at = f"{r['members']:,} members, {r['cases']:,} cases"
        target = key == "m100k"
        rows += [
            Row(f"{label} {at}: cold start to the first answer", r["cold_start_s"], "s",
                f"<= {COLD_START_TARGET_S:g}" if target else "info", None, None,
                _at_most(r["cold_start_s"], COLD_START_TARGET_S) if target else "info"),
            Row(f"{label}   RSS after a crowd of {r['crowd']}", r["rss_mb"], "MB",
                f"<= {RSS_TARGET_MB:g}" if target else "info", None, None,
                _at_most(r["rss_mb"], RSS_TARGET_MB) if target else "info"),
            Row(f"{label}   time to answer a subscribe p50 / p99", r["subscribe_answer_p50_ms"], "ms",
                f"info (p99 {r['subscribe_answer_p99_ms']:.1f})"),
        ]
    return rows


ROWS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "pace": pace_rows, "ceiling": ceiling_rows, "store": store_rows, "crowd": crowd_rows, "during": during_rows,
    "scale": scale_rows}


def figures(results: dict[str, Any]) -> dict[str, float | None]:
    """The headline figures as one flat object (units in the names), for `--json`."""
    flat: dict[str, float | None] = {}
    if "crowd" in results:
        crowd = results["crowd"]
        flat.update(crowd_answers_per_s=crowd["paced"]["answers_per_s"], crowd_p99_s=crowd["paced"]["p99_s"],
                    crowd_unlimited_answers_per_s=crowd["lifted"]["answers_per_s"])
    if "scale" in results:
        scale = results["scale"]
        flat.update(cold_start_s=scale["m100k"]["cold_start_s"], rss_mb=scale["m100k"]["rss_mb"])
        if "m1" in scale:
            flat.update(m1_cold_start_s=scale["m1"]["cold_start_s"], m1_rss_mb=scale["m1"]["rss_mb"],
                        m1_subscribe_p99_ms=scale["m1"]["subscribe_answer_p99_ms"])
    if "during" in results:
        flat["reply_during_broadcast_p99_s"] = results["during"]["p99_s"]
    if "pace" in results:
        flat["broadcast_msgs_per_s"] = results["pace"]["run"]["rate_after_first_second"]
    if "ceiling" in results:
        flat["ceiling_msgs_per_s"] = results["ceiling"]["median_rate_end_to_end"]
    if "store" in results:
        ops = results["store"]["ops"]
        flat.update(subscribe_p50_ms=ops["p50_ms"], subscribe_p99_ms=ops["p99_ms"],
                    loop_block_max_ms=ops["loop_max_ms"])
    return flat


# --- output -------------------------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str = "") -> str:
    if not _ok(value):
        return "-"
    assert value is not None
    if unit == "yes=1":
        return "yes" if value else "NO"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 10):
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:,.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".rstrip() if unit not in ("", "yes=1") else text


def print_table(rows: list[Row]) -> None:
    header = ("figure", "value", "target", "baseline", "ratio", "result")
    table = [header] + [(r.figure, _fmt(r.value, r.unit), r.target, _fmt(r.baseline, r.unit if r.unit != "yes=1"
                                                                           else ""),
                         f"{r.ratio:.1f}x" if _ok(r.ratio) else "-", r.status) for r in rows]
    widths = [max(len(str(line[i])) for line in table) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    print(rule)
    for index, line in enumerate(table):
        cells = [str(c).ljust(w) if i == 0 or i == 2 else str(c).rjust(w)
                 for i, (c, w) in enumerate(zip(line, widths, strict=True))]
        print("  ".join(cells).rstrip())
        if index == 0:
            print(rule)
    print(rule)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


# --- running ------------------------------------------------------------------------------------------------


def _scenario(name: str, plan: Plan, workdir: Path, serial: bool) -> Coroutine[Any, Any, dict[str, Any]]:
    scenario: Coroutine[Any, Any, dict[str, Any]]
    if name == "pace":
        scenario = bench_broadcast.telegram_pace(workdir, recipients=plan.pace_recipients,
                                                 naive_count=plan.pace_naive, concurrent_baseline=not serial)
    elif name == "ceiling":
        scenario = bench_broadcast.sender_ceiling(workdir, recipients=plan.ceiling_recipients,
                                                  repeats=plan.ceiling_repeats, httpx_variant=plan.httpx_variant,
                                                  naive_count=plan.ceiling_naive)
    elif name == "scale":
        scenario = bench_scale.scale(workdir, members=plan.scale_members, cases=plan.scale_cases,
                                     crowd=plan.scale_crowd, probes=10 if plan is QUICK else 50,
                                     million=plan.scale_million)
    elif name == "during":
        scenario = bench_crowd.replies_during_broadcast(workdir, recipients=plan.during_recipients,
                                                        members=plan.during_members, spread=plan.during_spread)
    elif name == "crowd":
        scenario = bench_crowd.crowd(workdir, members=plan.crowd_members, baseline_members=plan.crowd_baseline_members)
    else:
        scenario = bench_store.store_at_scale(workdir, members=plan.store_members, operations=plan.store_operations,
                                              rate=plan.store_rate, repeats=plan.store_repeats,
                                              probe_operations=plan.store_probe_operations,
                                              baseline_updates=plan.store_baseline_updates)
    return scenario


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)  # libraries may log INFO (the rate-limit counter listens to it)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes: the whole run in under a minute")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write every raw figure to PATH")
    parser.add_argument("--serial-baselines", action="store_true",
                        help="run scenario 1's naive baseline after the broadcast, on the same stand-in process, "
                             "instead of during it on a second stand-in process with the same configuration")
    parser.add_argument("--data-key", action="store_true",
                        help="run with BOT_DATA_KEY set to a fresh key: every store and bot seals its data files, as "
                             "a deployment with encryption at rest does")
    parser.add_argument("--only", default=",".join(SCENARIOS),
                        help=f"comma-separated subset of {', '.join(SCENARIOS)} (default: all)")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    plan = QUICK if args.quick else FULL
    _configure_logging()
    if args.data_key:
        os.environ["BOT_DATA_KEY"] = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")

    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    timings: dict[str, float] = {}
    loads: dict[str, list[float]] = {}
    rows: list[Row] = []
    sealed = "data files sealed with BOT_DATA_KEY" if os.environ.get("BOT_DATA_KEY") else "data files plain"
    print(f"campaign-bot benchmarks ({'quick' if args.quick else 'full'}, {sealed}); {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="campaign-bench-") as tmp:
        for name in chosen:
            workdir = Path(tmp) / name
            workdir.mkdir()
            print(f"- {name} ...", flush=True)
            began = time.perf_counter()
            load_before = os.getloadavg()[0]
            try:
                results[name] = asyncio.run(_scenario(name, plan, workdir, args.serial_baselines))
                rows += ROWS[name](results[name])
            except Exception:  # one scenario that cannot run must not hide the others' figures
                errors[name] = traceback.format_exc()
                print(f"  {name} could not be run:\n{errors[name]}", file=sys.stderr, flush=True)
            timings[name] = time.perf_counter() - began
            loads[name] = [load_before, os.getloadavg()[0]]
            print(f"  {name}: {timings[name]:.1f} s (1-min load average {loads[name][0]:.2f} before, "
                  f"{loads[name][1]:.2f} after)", flush=True)

    print()
    print_table(rows)
    for name in ("ceiling",):
        for note in results.get(name, {}).get("notes", []):
            print(f"note ({name}): {note}")
    misses = [r for r in rows if r.status == "FAIL"]
    if misses:
        print(f"\nMISSED TARGETS ({len(misses)}):")
        for row in misses:
            print(f"  - {row.figure.strip()}: {_fmt(row.value, row.unit)} (target {row.target})")
    else:
        print("\nAll targets met." if rows else "\nNo figures.")
    if errors:
        print(f"\nSCENARIOS THAT COULD NOT RUN: {', '.join(errors)}")
    total = time.perf_counter() - started
    print(f"\nTotal {total:.1f} s.")

    if args.json is not None:
        report = {"mode": "quick" if args.quick else "full", "started_utc": started_at, "duration_s": total,
                  "data_key": bool(os.environ.get("BOT_DATA_KEY")),
                  "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                              "platform": platform.platform()},
                  "plan": asdict(plan), "targets": {"pace_msg_s": PACE_TARGET, "ceiling_msg_s": CEILING_TARGET,
                                                    "p50_ms": P50_TARGET_MS, "p99_ms": P99_TARGET_MS,
                                                    "loop_block_ms": LOOP_BLOCK_TARGET_MS},
                  "scenario_seconds": timings, "load_average_1min": loads, "results": results,
                  "rows": [asdict(r) for r in rows], "figures": figures(results), "errors": errors}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(_clean(report), indent=1, ensure_ascii=False) + "\n")
        print(f"Figures written to {args.json}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
