"""With no daemon, every node and the badge say so, with the socket path, and never raise."""

from __future__ import annotations

import json
import os
import socket
import unittest

from arena_test_support import temp_dir

from ComfyUI_Arena.arena_nodes import ArenaAutoCacheStats, ArenaAutoCacheTrim
from ComfyUI_Arena.arena_routes import status_payload


class NodesWithoutDaemonTest(unittest.TestCase):
    def check_down(self, result, socket_path: str, reason: str) -> None:
        json_text, summary = result["result"]
        body = json.loads(json_text)
        self.assertIs(body["running"], False)
        self.assertEqual(body["socket"], socket_path)
        self.assertEqual(body["error"]["code"], "E_UNREACHABLE")
        self.assertIn(socket_path, summary)
        self.assertIn(reason, summary)
        self.assertIn("arenad is not running", summary)

    def test_no_socket_file(self) -> None:
        path = os.path.join(temp_dir(self), "run", "arenad.sock")
        self.check_down(ArenaAutoCacheStats(socket=path).run(), path, "no socket there")
        self.check_down(ArenaAutoCacheTrim(socket=path).run(dry_run=True, to_gb=0), path, "no socket there")
        self.check_down(ArenaAutoCacheTrim(socket=path).run(dry_run=False), path, "no socket there")
        badge = status_payload(path)
        self.assertIs(badge["running"], False)
        self.assertIn(path, badge["text"])
        self.assertIn("not running", badge["text"])

    def test_stale_socket_left_by_a_dead_daemon(self) -> None:
        path = os.path.join(temp_dir(self), "arenad.sock")
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(path)
        stale.close()
        self.check_down(ArenaAutoCacheStats(socket=path).run(), path, "connection refused")
        self.assertIs(status_payload(path)["running"], False)


if __name__ == "__main__":
    unittest.main()
