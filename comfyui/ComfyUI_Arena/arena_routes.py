"""The badge's data route: GET /arena/status (also /api/arena/status, as
ComfyUI serves every route under /api too). It proxies arenad's `status`,
reduced to what the badge shows, and answers even when the daemon is down."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, Optional

from .arena_client import DaemonError, DaemonUnavailable, request, socket_path
from .arena_format import badge

STATUS_ROUTE = "/arena/status"
#: The badge asks every few seconds; a stuck daemon must not pile up requests behind it.
STATUS_TIMEOUT_S = 2.0


def status_payload(path: Optional[str] = None) -> Dict[str, Any]:
    target = path or "(the default socket)"
    try:
        target = path or socket_path()
        payload = badge(request("status", {}, path=target, timeout=STATUS_TIMEOUT_S))
    except DaemonUnavailable as error:
        text = f"Arena · arenad is not running ({error.socket_path})"
        return {"running": False, "socket": error.socket_path, "text": text, "message": str(error)}
    except DaemonError as error:
        return {"running": True, "socket": target, "text": f"Arena · {error.message}", "message": str(error)}
    except Exception as error:  # noqa: BLE001 - the badge must always get an answer
        return {"running": None, "socket": target, "text": "Arena · status unavailable", "message": repr(error)}
    payload["socket"] = target
    return payload


def register_routes(routes: Any, web: Any, payload: Callable[[], Dict[str, Any]] = status_payload) -> Callable[..., Any]:
    """Adds the route to an aiohttp RouteTableDef; returns the handler."""

    async def arena_status(_request: Any) -> Any:
        # The socket call blocks; keep it off ComfyUI's event loop.
        data = await asyncio.get_running_loop().run_in_executor(None, payload)
        return web.json_response(data)

    routes.get(STATUS_ROUTE)(arena_status)
    return arena_status


def register_with_comfy() -> bool:
    """Registers the route with ComfyUI's server; does nothing outside ComfyUI."""
    try:
        from aiohttp import web  # type: ignore[import-not-found]
        from server import PromptServer  # type: ignore[import-not-found]
    except ImportError:
        return False
    instance = getattr(PromptServer, "instance", None)
    if instance is None:
        return False
    register_routes(instance.routes, web)
    return True
