"""A client for arenad's control socket: one JSON object per line each way.

A request is {"id", "cmd", "args"}; the reply is {"id", "ok": true, "result"}
or {"id", "ok": false, "error": {"code", "message"}}. Each call opens a fresh
connection, asks once and closes, so nothing is left open inside ComfyUI.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
from typing import Any, Dict, Mapping, Optional

from .arena_env import EnvFileCache, env_file_value, shared_env_files

#: The socket of a system install (`arenactl service install --system`).
SYSTEM_SOCKET = "/run/arena/arenad.sock"
DEFAULT_TIMEOUT_S = 5.0
#: Replies such as a large `ls` may be long; anything beyond this is not a reply of arenad's.
MAX_REPLY_BYTES = 64 * 1024 * 1024

_ids = itertools.count(1)


class DaemonUnavailable(Exception):
    """Nothing answers on the socket: arenad is not running, or this user may not use its socket."""

    def __init__(self, socket_path: str, reason: str) -> None:
        super().__init__(f"arenad is not running: nothing answers on {socket_path} ({reason})")
        self.socket_path = socket_path
        self.reason = reason


class DaemonError(Exception):
    """arenad answered with an error reply."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"arenad answered {code}: {message}")
        self.code = code
        self.message = message


def comfy_root() -> Optional[str]:
    """ComfyUI's folder: folder_paths knows it inside ComfyUI; else two levels above custom_nodes/ComfyUI_Arena."""
    try:
        import folder_paths  # type: ignore[import-not-found]

        return str(folder_paths.base_path)
    except Exception:
        # Outside ComfyUI. abspath, not realpath: a linked install sits in custom_nodes but points elsewhere.
        here = os.path.dirname(os.path.abspath(__file__))
        custom_nodes = os.path.dirname(here)
        return os.path.dirname(custom_nodes) if os.path.basename(custom_nodes) == "custom_nodes" else None


def user_default_socket(env: Mapping[str, str]) -> str:
    """The daemon's default for a user: $XDG_RUNTIME_DIR/arena/arenad.sock, else /tmp/arena-$UID/arenad.sock."""
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "arena", "arenad.sock")
    return os.path.join("/tmp", f"arena-{os.getuid()}", "arenad.sock")


def socket_path(
    env: Optional[Mapping[str, str]] = None,
    root: Optional[str] = None,
    env_files: EnvFileCache = shared_env_files,
) -> str:
    """ARENA_SOCKET from the environment, else from the env file, else the user default or the system socket, whichever exists."""
    env = os.environ if env is None else env
    explicit = env.get("ARENA_SOCKET") or env_file_value(root if root is not None else comfy_root(), "ARENA_SOCKET", env_files)
    if explicit:
        return explicit
    user = user_default_socket(env)
    for candidate in (user, SYSTEM_SOCKET):
        if os.path.exists(candidate):
            return candidate
    return user


def _reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no socket there"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, PermissionError):
        return "permission denied; a system install opens its socket to the arena group"
    if isinstance(error, socket.timeout):
        return "no answer in time"
    return error.strerror or str(error)


def request(cmd: str, args: Optional[Dict[str, Any]] = None, path: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT_S) -> Any:
    """Sends one request and returns its result; raises DaemonUnavailable or DaemonError."""
    path = path or socket_path()
    request_id = next(_ids)
    line = json.dumps({"id": request_id, "cmd": cmd, "args": args or {}}) + "\n"
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(timeout)
    try:
        try:
            connection.connect(path)
            connection.sendall(line.encode("utf-8"))
            received = bytearray()
            while b"\n" not in received:
                chunk = connection.recv(65536)
                if not chunk:
                    raise DaemonUnavailable(path, "the daemon closed the connection")
                received += chunk
                if len(received) > MAX_REPLY_BYTES:
                    raise DaemonError("E_TOO_LARGE", "the reply is larger than any arenad sends")
        except OSError as error:
            raise DaemonUnavailable(path, _reason(error)) from error
    finally:
        connection.close()
    try:
        reply = json.loads(bytes(received).split(b"\n", 1)[0])
    except ValueError as error:
        raise DaemonError("E_PROTOCOL", "the reply is not JSON") from error
    if not isinstance(reply, dict) or reply.get("id") != request_id:
        raise DaemonError("E_PROTOCOL", "the reply does not answer the request")
    if reply.get("ok"):
        return reply.get("result")
    error = reply.get("error") or {}
    raise DaemonError(str(error.get("code", "E_UNKNOWN")), str(error.get("message", "no message")))
