"""The Arena nodes. Each asks arenad once per run and never raises: when the
daemon is down or answers with an error, the outputs say so, with the socket
path, and the workflow goes on."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Optional, Tuple

from .arena_client import DaemonError, DaemonUnavailable, request, socket_path
from .arena_format import stats_summary, trim_summary

CATEGORY = "Arena/AutoCache"
#: Trims remove files and may take longer than a status question.
TRIM_TIMEOUT_S = 60.0
GB = 1000**3


def _ask(cmd: str, args: Dict[str, Any], summarize: Callable[[Any], str], timeout: float, path: Optional[str]) -> Tuple[str, str]:
    """(JSON text, summary) of one request, or of why it failed."""
    target = path or "(the default socket)"
    try:
        target = path or socket_path()
        result = request(cmd, args, path=target, timeout=timeout)
        return json.dumps(result, indent=2), summarize(result)
    except DaemonUnavailable as error:
        failure = {"running": False, "socket": error.socket_path, "error": {"code": "E_UNREACHABLE", "message": str(error)}}
        return json.dumps(failure, indent=2), f"{error}. Start it (npm start, or arenactl service install) and run this node again."
    except DaemonError as error:
        failure = {"running": True, "socket": target, "error": {"code": error.code, "message": error.message}}
        return json.dumps(failure, indent=2), str(error)
    except Exception as error:  # noqa: BLE001 - a node must never break the workflow over a status question
        failure = {"running": None, "socket": target, "error": {"code": "E_CLIENT", "message": repr(error)}}
        return json.dumps(failure, indent=2), f"Arena nodes: could not ask arenad on {target}: {error!r}"


def _output(json_text: str, summary: str) -> Dict[str, Any]:
    # "ui" shows the summary on the node (web/arena_status_badge.js); "result" feeds the outputs.
    return {"ui": {"text": [summary]}, "result": (json_text, summary)}


class ArenaAutoCacheStats:
    """Hits, misses, cache use and prefetch counters of arenad."""

    CATEGORY = CATEGORY
    RETURN_TYPES = ("STRING", "STRING")
    RETURN_NAMES = ("stats_json", "summary")
    FUNCTION = "run"
    OUTPUT_NODE = True
    DESCRIPTION = "Asks arenad for its cache statistics: as JSON, and as a readable summary."

    @classmethod
    def INPUT_TYPES(cls) -> Dict[str, Any]:
        return {"required": {}}

    @classmethod
    def IS_CHANGED(cls, **_inputs: Any) -> float:
        # NaN never equals itself, so ComfyUI runs the node every time instead of reusing old numbers.
        return float("nan")

    def __init__(self, socket: Optional[str] = None) -> None:
        self._socket = socket

    def run(self) -> Dict[str, Any]:
        return _output(*_ask("stats", {}, stats_summary, 10.0, self._socket))


class ArenaAutoCacheTrim:
    """Removes the least valuable models from the SSD (or, as a dry run, lists them)."""

    CATEGORY = CATEGORY
    RETURN_TYPES = ("STRING", "STRING")
    RETURN_NAMES = ("trim_json", "summary")
    FUNCTION = "run"
    OUTPUT_NODE = True
    DESCRIPTION = "Trims arenad's SSD cache down to a size, or to its low-water mark; a dry run only lists what would go, and why."

    @classmethod
    def INPUT_TYPES(cls) -> Dict[str, Any]:
        return {
            "required": {
                "dry_run": ("BOOLEAN", {"default": True, "tooltip": "Only list what would be removed, and why."}),
            },
            "optional": {
                "to_gb": (
                    "FLOAT",
                    {"default": -1.0, "min": -1.0, "max": 1_000_000.0, "step": 1.0, "tooltip": "Trim down to this many GB (10^9 bytes); -1 trims to the daemon's low-water mark."},
                ),
            },
        }

    @classmethod
    def IS_CHANGED(cls, **_inputs: Any) -> float:
        return float("nan")

    def __init__(self, socket: Optional[str] = None) -> None:
        self._socket = socket

    def run(self, dry_run: bool = True, to_gb: float = -1.0) -> Dict[str, Any]:
        args: Dict[str, Any] = {"dryRun": bool(dry_run)}
        if to_gb is not None and to_gb >= 0:
            args["toBytes"] = int(to_gb * GB)
        return _output(*_ask("trim", args, trim_summary, TRIM_TIMEOUT_S, self._socket))


NODE_CLASS_MAPPINGS = {
    "ArenaAutoCacheStats": ArenaAutoCacheStats,
    "ArenaAutoCacheTrim": ArenaAutoCacheTrim,
}

NODE_DISPLAY_NAME_MAPPINGS = {
    "ArenaAutoCacheStats": "Arena AutoCache: Stats",
    "ArenaAutoCacheTrim": "Arena AutoCache: Trim",
}
