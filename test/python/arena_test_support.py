"""Shared by the Python tests: the node package on sys.path, temp folders,
model files of real bytes, and a real arenad started from the checkout."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "comfyui"))

from ComfyUI_Arena.arena_client import DaemonUnavailable, request  # noqa: E402

MIB = 1024 * 1024


def eventually(check: Callable[[], Any], what: str, timeout: float = 60.0, describe: Callable[[], str] = lambda: "") -> Any:
    """Polls until check() gives a truthy value; the machine may be busy, so the deadline is generous."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{describe()}")
        time.sleep(0.1)


def temp_dir(test: Any) -> str:
    path = tempfile.mkdtemp(prefix="arena-py-")
    test.addCleanup(shutil.rmtree, path, True)
    return path


def write_model(path: str, size: int) -> str:
    """Random bytes (a copy needs real data), with an mtime in the past so the library takes it at once."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(os.urandom(size))
    past = time.time() - 3600
    os.utime(path, (past, past))
    return path


def node_binary() -> str:
    found = os.environ.get("npm_node_execpath") or shutil.which("node")
    if not found:
        raise RuntimeError("node is needed to run arenad for these tests")
    return found


class Daemon:
    """arenad from the TypeScript sources (through tsx), with its own HOME, socket, library and cache."""

    def __init__(self, root: str, models: Dict[str, int]) -> None:
        self.root = root
        self.home = os.path.join(root, "home")
        self.nas = os.path.join(root, "nas")
        self.cache_root = os.path.join(root, "ssd")
        self.socket = os.path.join(root, "run", "arenad.sock")
        self.models = models
        for key, size in models.items():
            write_model(os.path.join(self.nas, key), size)
        os.makedirs(self.home, exist_ok=True)
        config = os.path.join(root, "config.yaml")
        # An empty config of its own, so that no /etc/arena/config.yaml on the machine leaks in.
        open(config, "w").close()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": self.home,
            "ARENA_CONFIG": config,
            "ARENA_SOCKET": self.socket,
            "ARENA_LIBRARY_ROOTS": self.nas,
            "ARENA_CACHE_ROOT": self.cache_root,
            "ARENA_METRICS_LISTEN": "off",
            "ARENA_LOG_LEVEL": "debug",
        }
        self.log_path = os.path.join(root, "arenad.log")
        self._log = open(self.log_path, "wb")
        # cwd is the checkout, where `--import tsx` resolves; every path the daemon uses comes from env.
        self.process = subprocess.Popen(
            [node_binary(), "--import", "tsx", os.path.join("src", "daemon", "main.ts")],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def ask(self, cmd: str, args: Optional[Dict[str, Any]] = None) -> Any:
        return request(cmd, args or {}, path=self.socket, timeout=10.0)

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"arenad exited early with {self.process.returncode}:\n{self.output()}")
        try:
            status = self.ask("status")
        except DaemonUnavailable:
            return False
        return status["state"] != "starting" and status["library"]["models"] == len(self.models)

    def wait_ready(self) -> None:
        eventually(self._ready, "arenad to start and scan its library", describe=self.output)

    def cached_keys(self) -> List[str]:
        return sorted(entry["key"] for entry in self.ask("ls")["entries"] if entry["state"] == "cached")

    def prefetch_all(self) -> None:
        models = [{"category": key.split("/", 1)[0], "name": key.split("/", 1)[1]} for key in self.models]
        self.ask("prefetch", {"models": models})
        eventually(lambda: self.cached_keys() == sorted(self.models), "every model cached", describe=self.output)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def start_daemon(test: Any, models: Dict[str, int]) -> Daemon:
    daemon = Daemon(temp_dir(test), models)
    test.addCleanup(daemon.stop)
    daemon.wait_ready()
    return daemon
