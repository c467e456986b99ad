"""Readable text from arenad's answers, for node outputs and the badge."""

from __future__ import annotations

import posixpath
from typing import Any, Dict, List, Mapping

_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"]


def format_bytes(count: float) -> str:
    """`41.2 GB`: decimal units, as arenactl prints them."""
    value = float(count)
    unit = 0
    while abs(value) >= 1000 and unit < len(_UNITS) - 1:
        value /= 1000
        unit += 1
    if unit == 0:
        return f"{int(value)} B"
    return f"{value:.0f} {_UNITS[unit]}" if value >= 100 else f"{value:.1f} {_UNITS[unit]}"


def _number(mapping: Mapping[str, Any], key: str) -> float:
    value = mapping.get(key, 0)
    return value if isinstance(value, (int, float)) else 0


def cache_use(cache: Mapping[str, Any]) -> str:
    used = format_bytes(_number(cache, "bytes"))
    quota = _number(cache, "maxBytes")
    return f"{used} of {format_bytes(quota)}" if quota > 0 else used


def stats_summary(stats: Mapping[str, Any]) -> str:
    cache = stats.get("cache") or {}
    prefetch = stats.get("prefetch") or {}
    hits, misses = int(_number(stats, "hits")), int(_number(stats, "misses"))
    ratio = f"{_number(stats, 'hitRatio') * 100:.0f}% hits" if hits + misses > 0 else "no runs counted yet"
    lines = [
        f"Cache: {int(_number(cache, 'files'))} files, {cache_use(cache)}; {format_bytes(_number(cache, 'freeBytes'))} free on the disk",
        f"Runs: {hits} hits, {misses} misses ({ratio})",
        (
            f"Prefetch: {int(_number(prefetch, 'queued'))} queued, {int(_number(prefetch, 'active'))} copying, "
            f"{int(_number(prefetch, 'completed'))} done, {int(_number(prefetch, 'failed'))} failed, "
            f"{format_bytes(_number(prefetch, 'bytesCopied'))} copied"
        ),
        f"Evictions: {int(_number(stats, 'evictions'))}",
    ]
    return "\n".join(lines)


def trim_summary(result: Mapping[str, Any]) -> str:
    evicted: List[Mapping[str, Any]] = list(result.get("evicted") or [])
    target = format_bytes(_number(result, "targetBytes"))
    if not evicted:
        return f"Nothing to trim: the cache is already within {target}."
    verb = "Would remove" if result.get("dryRun") else "Removed"
    lines = [f"{verb} {len(evicted)} models, {format_bytes(_number(result, 'freedBytes'))}, to reach {target}:"]
    for entry in evicted:
        lines.append(f"  {entry.get('category')}/{entry.get('name')}  {format_bytes(_number(entry, 'bytes'))}  {entry.get('reason', '')}".rstrip())
    return "\n".join(lines)


def badge(status: Mapping[str, Any]) -> Dict[str, Any]:
    """The badge's data: cache use and each copy in progress with its percentage."""
    cache = status.get("cache") or {}
    prefetch = status.get("prefetch") or {}
    copying = []
    for job in prefetch.get("copying") or []:
        total = _number(job, "bytes")
        done = _number(job, "bytesCopied")
        percent = 100 if total == 0 else int(done * 100 // total)
        key = str(job.get("key", ""))
        copying.append({"key": key, "name": posixpath.basename(key), "percent": percent})
    parts = [f"cache {cache_use(cache)}"]
    if copying:
        first = copying[0]
        more = f" +{len(copying) - 1} more" if len(copying) > 1 else ""
        parts.append(f"copying {first['name']} {first['percent']}%{more}")
    queued = int(_number(prefetch, "queued"))
    if queued:
        parts.append(f"{queued} queued")
    state = str(status.get("state", ""))
    if state and state != "ready":
        parts.append(state)
    return {
        "running": True,
        "state": state,
        "text": "Arena · " + " · ".join(parts),
        "cacheBytes": _number(cache, "bytes"),
        "maxBytes": _number(cache, "maxBytes"),
        "copying": copying,
        "problems": list(status.get("problems") or []),
    }
