"""Scenario 6: the bot at scale, as an operator runs it: `campaign-bot run` in a process of its own.

A data directory is prepared with `members` chats (the store's bulk load) and `cases` generated cases (an
import of generated content files). Then the real process starts against the stand-in and a member writes
at once: the cold start is the time from starting the process to that member's answer. After a crowd of
`crowd` members is answered, the process's resident memory (VmRSS) is read; then a subscribe from
`probes` members gives the time to answer a subscribe at that size.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from bench_store import _bulk_load
from bench_support import ROOT, StandIn, data_key, percentile, store_key

from bot.content import read_content_dir
from bot.store import Store

TOKEN = "4242:scale-benchmark-made-up-token"
UNIQUE_TEXTS = ("role", "status", "summary", "max_sentence")


def _content_with_cases(target: Path, cases: int) -> Path:
    """The campaign's content plus generated cases, each a copy of a real one under a new id."""
    source = ROOT / "content"
    template = yaml.safe_load((source / "cases" / "asif-yusifli.yaml").read_text(encoding="utf-8"))
    (target / "cases").mkdir(parents=True)
    (target / "concerns").mkdir()
    (target / "topics").mkdir()
    for rel in ("campaign.yaml", "sources.yaml", "topics/background.yaml"):
        (target / rel).write_text((source / rel).read_text(encoding="utf-8"), encoding="utf-8")
    for path in (source / "concerns").glob("*.yaml"):
        (target / "concerns" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    for path in (source / "cases").glob("*.yaml"):
        (target / "cases" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    for n in range(max(0, cases - len(list((source / "cases").glob("*.yaml"))))):
        case = dict(template, id=f"generated-{n:05d}", order=1000 + n,
                    name={lang: f"{text} {n}" for lang, text in template["name"].items()},
                    # Texts of their own, as real cases have: no two cases share a string the store could share.
                    **{key: {lang: f"{text} ({n})" for lang, text in template[key].items()}
                       for key in UNIQUE_TEXTS if key in template})
        (target / "cases" / f"generated-{n:05d}.yaml").write_text(
            yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _answered(api: StandIn, update_ids: list[int], before: int, timeout: float) -> float:
    """Seconds until the stand-in has sent `len(update_ids)` more messages than `before`."""
    started = time.perf_counter()
    async with asyncio.timeout(timeout):
        while (await api.stats())["sent_count"] - before < len(update_ids):
            await asyncio.sleep(0.01)
    return time.perf_counter() - started


async def at_scale(workdir: Path, *, members: int, cases: int, crowd: int, probes: int) -> dict[str, Any]:
    data_dir = workdir / f"data-{members}"
    store = Store(data_dir, store_key())
    try:
        load = await store.db.run(_bulk_load, store.db, members)
        await store.content.import_items(read_content_dir(_content_with_cases(workdir / f"content-{members}", cases)))
    finally:
        store.close()
    # Byte-compiled first, as `pip install` (and so the Docker image) leaves the package: a fresh checkout would
    # otherwise compile every module inside the measured start.
    compileall.compile_dir(ROOT / "bot", quiet=1)
    async with StandIn(workdir, rate=None, latency=0.0) as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
        env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": api.base_url, "BOT_DATA_DIR": str(data_dir),
                    "BOT_SEND_RATE": "0", "BOT_DATA_KEY": data_key().value})
        before = (await api.stats())["sent_count"]
        started = time.perf_counter()
        with open(workdir / "bot.err", "wb") as err:
            process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=workdir,
                                       stdout=subprocess.DEVNULL, stderr=err)
        try:
            first = await api.user_messages([(3_000_001, "/case asif")])
            async with asyncio.timeout(120):
                while (await api.stats())["sent_count"] - before < len(first):  # counts messages sent
                    if process.poll() is not None:
                        raise RuntimeError(f"campaign-bot run exited with {process.returncode}: "
                                           f"{(workdir / 'bot.err').read_text()[-2000:]}")
                    await asyncio.sleep(0.005)
            cold_start = time.perf_counter() - started
            sent = (await api.stats())["sent_count"]
            crowd_ids = await api.user_messages([(3_100_000 + n, "/case asif") for n in range(crowd)])
            crowd_s = await _answered(api, crowd_ids, sent, timeout=120)
            rss = _rss_mb(process.pid)
            waits = []
            for n in range(probes):
                sent = (await api.stats())["sent_count"]
                asked = time.perf_counter()
                probe = await api.user_messages([(3_200_000 + n, "/subscribe all")])
                await _answered(api, probe, sent, timeout=30)
                waits.append((time.perf_counter() - asked) * 1000)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
    return {"members": members, "cases": cases, "bulk_load_s": load["total_s"], "cold_start_s": cold_start,
            "crowd": crowd, "crowd_s": crowd_s, "rss_mb": rss, "subscribe_answer_p50_ms": percentile(waits, 50),
            "subscribe_answer_p99_ms": percentile(waits, 99)}


async def scale(workdir: Path, *, members: int, cases: int, crowd: int, probes: int,
                million: bool) -> dict[str, Any]:
    result = {"m100k": await at_scale(workdir, members=members, cases=cases, crowd=crowd, probes=probes)}
    if million:
        result["m1"] = await at_scale(workdir, members=1_000_000, cases=cases, crowd=crowd, probes=probes)
    return result
