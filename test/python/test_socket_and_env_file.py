"""Where the nodes look for the socket, and the env file read once per change."""

from __future__ import annotations

import os
import unittest

from arena_test_support import temp_dir

from ComfyUI_Arena.arena_client import SYSTEM_SOCKET, socket_path, user_default_socket
from ComfyUI_Arena.arena_env import EnvFileCache, parse_env_text
from ComfyUI_Arena.arena_nodes import ArenaAutoCacheStats, ArenaAutoCacheTrim


def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


class SocketPathTest(unittest.TestCase):
    def setUp(self) -> None:
        self.comfy = temp_dir(self)
        self.env_file = os.path.join(self.comfy, "user", "arena_autocache.env")

    def test_environment_wins_over_the_env_file(self) -> None:
        write(self.env_file, "ARENA_SOCKET=/from/file.sock\n")
        path = socket_path({"ARENA_SOCKET": "/from/env.sock"}, root=self.comfy, env_files=EnvFileCache())
        self.assertEqual(path, "/from/env.sock")

    def test_env_file_then_the_daemons_default(self) -> None:
        write(self.env_file, "# comment\nexport ARENA_SOCKET='/srv/arena/arenad.sock'  \nARENA_CACHE_MAX_GB=100\n")
        self.assertEqual(socket_path({}, root=self.comfy, env_files=EnvFileCache()), "/srv/arena/arenad.sock")
        runtime = temp_dir(self)
        os.remove(self.env_file)
        expected = os.path.join(runtime, "arena", "arenad.sock")
        self.assertEqual(socket_path({"XDG_RUNTIME_DIR": runtime}, root=self.comfy, env_files=EnvFileCache()), expected)

    def test_without_runtime_dir_the_default_is_per_uid_under_tmp(self) -> None:
        self.assertEqual(user_default_socket({}), f"/tmp/arena-{os.getuid()}/arenad.sock")
        path = socket_path({}, root=self.comfy, env_files=EnvFileCache())
        self.assertIn(path, (f"/tmp/arena-{os.getuid()}/arenad.sock", SYSTEM_SOCKET))

    def test_the_env_file_is_parsed_once_until_it_changes(self) -> None:
        cache = EnvFileCache()
        write(self.env_file, "ARENA_SOCKET=/first.sock\n")
        nodes = [ArenaAutoCacheStats() for _ in range(50)] + [ArenaAutoCacheTrim() for _ in range(50)]
        for _ in nodes:
            self.assertEqual(socket_path({}, root=self.comfy, env_files=cache), "/first.sock")
        self.assertEqual(cache.parses, 1)

        write(self.env_file, "ARENA_SOCKET=/second/longer.sock\n")
        stat = os.stat(self.env_file)
        os.utime(self.env_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        self.assertEqual(socket_path({}, root=self.comfy, env_files=cache), "/second/longer.sock")
        self.assertEqual(socket_path({}, root=self.comfy, env_files=cache), "/second/longer.sock")
        self.assertEqual(cache.parses, 2)

        os.remove(self.env_file)
        self.assertNotEqual(socket_path({}, root=self.comfy, env_files=cache), "/second/longer.sock")


class EnvTextTest(unittest.TestCase):
    def test_lines_as_the_daemon_reads_them(self) -> None:
        text = '\n'.join([
            "# a comment",
            "ARENA_CACHE_ROOT=/ssd/cache   # trailing comment",
            'export ARENA_SOCKET="/run/a b.sock"',
            "not a setting",
            "1BAD=x",
            "",
        ])
        self.assertEqual(parse_env_text(text), {"ARENA_CACHE_ROOT": "/ssd/cache", "ARENA_SOCKET": "/run/a b.sock"})


if __name__ == "__main__":
    unittest.main()
