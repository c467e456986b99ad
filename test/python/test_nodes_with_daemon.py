"""The Arena nodes and the badge route against a real arenad."""

from __future__ import annotations

import asyncio
import json
import os
import unittest

from arena_test_support import MIB, start_daemon

from ComfyUI_Arena.arena_format import format_bytes
from ComfyUI_Arena.arena_nodes import ArenaAutoCacheStats, ArenaAutoCacheTrim
from ComfyUI_Arena.arena_routes import STATUS_ROUTE, register_routes, status_payload

MODELS = {"checkpoints/base.safetensors": 3 * MIB, "loras/style.safetensors": 1 * MIB}
TOTAL = sum(MODELS.values())


def outputs(node_result):
    json_text, summary = node_result["result"]
    return json.loads(json_text), summary


class NodesWithDaemonTest(unittest.TestCase):
    def setUp(self) -> None:
        self.daemon = start_daemon(self, MODELS)
        self.daemon.prefetch_all()

    def cache_file(self, key: str) -> str:
        return os.path.join(self.daemon.cache_root, *key.split("/"))

    def test_stats_node_reports_the_daemons_counters(self) -> None:
        result = ArenaAutoCacheStats(socket=self.daemon.socket).run()
        stats, summary = outputs(result)
        self.assertEqual(stats["cache"]["files"], 2)
        self.assertEqual(stats["cache"]["bytes"], TOTAL)
        self.assertEqual(stats["prefetch"]["completed"], 2)
        self.assertEqual(stats["prefetch"]["bytesCopied"], TOTAL)
        self.assertEqual((stats["hits"], stats["misses"], stats["evictions"]), (0, 0, 0))
        self.assertIn(f"Cache: 2 files, {format_bytes(TOTAL)}", summary)
        self.assertIn(f"{format_bytes(TOTAL)} copied", summary)
        self.assertEqual(result["ui"]["text"], [summary])

    def test_trim_node_dry_run_lists_then_trim_removes(self) -> None:
        dry, dry_summary = outputs(ArenaAutoCacheTrim(socket=self.daemon.socket).run(dry_run=True, to_gb=0))
        self.assertTrue(dry["dryRun"])
        self.assertEqual(sorted(f"{e['category']}/{e['name']}" for e in dry["evicted"]), sorted(MODELS))
        self.assertEqual(dry["freedBytes"], TOTAL)
        self.assertTrue(dry_summary.startswith(f"Would remove 2 models, {format_bytes(TOTAL)}"))
        for key in MODELS:
            self.assertTrue(os.path.exists(self.cache_file(key)), key)
        self.assertEqual(self.daemon.cached_keys(), sorted(MODELS))

        done, summary = outputs(ArenaAutoCacheTrim(socket=self.daemon.socket).run(dry_run=False, to_gb=0))
        self.assertFalse(done["dryRun"])
        self.assertEqual(done["freedBytes"], TOTAL)
        self.assertTrue(summary.startswith("Removed 2 models"))
        for key in MODELS:
            self.assertFalse(os.path.exists(self.cache_file(key)), key)
            self.assertTrue(os.path.exists(os.path.join(self.daemon.nas, *key.split("/"))), key)
        stats, _ = outputs(ArenaAutoCacheStats(socket=self.daemon.socket).run())
        self.assertEqual((stats["cache"]["files"], stats["cache"]["bytes"], stats["evictions"]), (0, 0, 2))

    def test_trim_without_a_target_and_no_quota_removes_nothing(self) -> None:
        result, summary = outputs(ArenaAutoCacheTrim(socket=self.daemon.socket).run(dry_run=False))
        self.assertEqual(result["evicted"], [])
        self.assertTrue(summary.startswith("Nothing to trim"))
        self.assertEqual(self.daemon.cached_keys(), sorted(MODELS))

    def test_status_route_proxies_the_daemon_for_the_badge(self) -> None:
        class Routes:
            def __init__(self) -> None:
                self.handlers = {}

            def get(self, path):
                def add(handler):
                    self.handlers[path] = handler
                    return handler

                return add

        class Web:
            @staticmethod
            def json_response(data):
                return data

        routes = Routes()
        register_routes(routes, Web, payload=lambda: status_payload(self.daemon.socket))
        payload = asyncio.run(routes.handlers[STATUS_ROUTE](None))
        self.assertTrue(payload["running"])
        self.assertEqual(payload["socket"], self.daemon.socket)
        self.assertEqual(payload["cacheBytes"], TOTAL)
        self.assertEqual(payload["copying"], [])
        self.assertIn(f"cache {format_bytes(TOTAL)}", payload["text"])


if __name__ == "__main__":
    unittest.main()
