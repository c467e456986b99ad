"""The package as ComfyUI loads it, and the readable texts."""

from __future__ import annotations

import importlib
import os
import unittest

from arena_test_support import REPO

from ComfyUI_Arena.arena_format import badge, format_bytes, trim_summary


class PackageTest(unittest.TestCase):
    def test_imports_outside_comfy_and_exports_what_comfy_reads(self) -> None:
        package = importlib.import_module("ComfyUI_Arena")
        self.assertEqual(set(package.NODE_CLASS_MAPPINGS), {"ArenaAutoCacheStats", "ArenaAutoCacheTrim"})
        self.assertEqual(package.NODE_DISPLAY_NAME_MAPPINGS["ArenaAutoCacheStats"], "Arena AutoCache: Stats")
        self.assertEqual(package.NODE_DISPLAY_NAME_MAPPINGS["ArenaAutoCacheTrim"], "Arena AutoCache: Trim")
        web = os.path.join(REPO, "comfyui", "ComfyUI_Arena", package.WEB_DIRECTORY)
        self.assertTrue(any(name.endswith(".js") for name in os.listdir(web)))
        for node in package.NODE_CLASS_MAPPINGS.values():
            inputs = node.INPUT_TYPES()
            self.assertIn("required", inputs)
            self.assertTrue(callable(getattr(node(), node.FUNCTION)))
            self.assertEqual(len(node.RETURN_TYPES), len(node.RETURN_NAMES))
        self.assertEqual(package.NODE_CLASS_MAPPINGS["ArenaAutoCacheTrim"].INPUT_TYPES()["required"]["dry_run"][0], "BOOLEAN")

    def test_package_is_standard_library_only(self) -> None:
        allowed_outside = {"folder_paths", "server", "aiohttp"}  # ComfyUI's own, imported only inside it, guarded
        package_dir = os.path.join(REPO, "comfyui", "ComfyUI_Arena")
        for name in os.listdir(package_dir):
            if not name.endswith(".py"):
                continue
            with open(os.path.join(package_dir, name), encoding="utf-8") as handle:
                for line in handle:
                    words = line.split()
                    if len(words) >= 2 and words[0] in ("import", "from") and not words[1].startswith("."):
                        module = words[1].split(".")[0]
                        if module in allowed_outside or module == "__future__":
                            continue
                        importlib.import_module(module)


class TextTest(unittest.TestCase):
    def test_badge_shows_cache_use_and_the_copy_in_progress(self) -> None:
        status = {
            "state": "ready",
            "cache": {"bytes": 41_200_000_000, "maxBytes": 64_000_000_000},
            "prefetch": {"queued": 2, "copying": [{"key": "checkpoints/sd/xl.safetensors", "bytes": 1000, "bytesCopied": 437}]},
        }
        data = badge(status)
        self.assertEqual(data["text"], "Arena · cache 41.2 GB of 64.0 GB · copying xl.safetensors 43% · 2 queued")
        self.assertEqual(data["copying"], [{"key": "checkpoints/sd/xl.safetensors", "name": "xl.safetensors", "percent": 43}])
        self.assertIn("degraded", badge({**status, "state": "degraded"})["text"])

    def test_trim_summary_names_each_model_and_why(self) -> None:
        text = trim_summary({
            "dryRun": True,
            "targetBytes": 0,
            "freedBytes": 3_000_000,
            "evicted": [{"category": "loras", "name": "a.safetensors", "bytes": 3_000_000, "reason": "unused for 30 days"}],
        })
        self.assertIn("Would remove 1 models, 3.0 MB, to reach 0 B:", text)
        self.assertIn("loras/a.safetensors  3.0 MB  unused for 30 days", text)
        self.assertEqual(format_bytes(999), "999 B")
        self.assertEqual(format_bytes(123_456_789), "123 MB")


if __name__ == "__main__":
    unittest.main()
