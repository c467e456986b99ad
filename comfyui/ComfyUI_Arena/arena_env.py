"""The ComfyUI env file `user/arena_autocache.env`, parsed once per change.

The nodes read one setting from it, ARENA_SOCKET. A workflow may hold many
Arena nodes and the badge asks every few seconds, so the file is parsed once
and parsed again only when its modification time or size changes.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Dict, Optional, Tuple

ENV_FILE = os.path.join("user", "arena_autocache.env")

_NAME = re.compile(r"^[A-Za-z_]\w*$")


def parse_env_text(text: str) -> Dict[str, str]:
    """KEY=value lines; `#` comments, `export `, quotes and trailing comments as the daemon reads them."""
    values: Dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        name, equals, value = line.partition("=")
        name = name.strip()
        if not equals or not _NAME.match(name):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] in "\"'" and value.endswith(value[0]):
            value = value[1:-1]
        else:
            value = re.sub(r"\s+#.*$", "", value)
        values[name] = value
    return values


class EnvFileCache:
    """Parsed env files by path, each kept until its mtime or size changes on disk."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: Dict[str, Tuple[int, int, Dict[str, str]]] = {}
        #: How many times a file was actually parsed; tests check it stays put.
        self.parses = 0

    def read(self, path: str) -> Dict[str, str]:
        try:
            stat = os.stat(path)
        except OSError:
            with self._lock:
                self._files.pop(path, None)
            return {}
        with self._lock:
            cached = self._files.get(path)
            if cached and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
                return cached[2]
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                values = parse_env_text(handle.read())
        except OSError:
            return {}
        with self._lock:
            self._files[path] = (stat.st_mtime_ns, stat.st_size, values)
            self.parses += 1
        return values


shared_env_files = EnvFileCache()


def env_file_value(comfy_root: Optional[str], name: str, cache: EnvFileCache = shared_env_files) -> Optional[str]:
    if not comfy_root:
        return None
    value = cache.read(os.path.join(comfy_root, ENV_FILE)).get(name)
    return value or None
