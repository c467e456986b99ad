"""ComfyUI Arena nodes: arenad, the model cache daemon, seen from inside ComfyUI.

"Arena AutoCache: Stats" and "Arena AutoCache: Trim" ask the daemon over its
Unix socket; a status badge in the page shows the cache use and the copy in
progress. Everything runs on the Python standard library, and nothing here
patches ComfyUI: the daemon does the caching, ComfyUI finds the cache through
extra_model_paths.yaml (`arenactl comfy link`).

Install with `arenactl comfy install-nodes`.
"""

# Marks this package as the daemon's client, so that `arenactl migrate` does not take it for the old in-process nodes.
ARENA_NODE_PACKAGE = "arena-daemon-client"

from .arena_nodes import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS
from .arena_routes import register_with_comfy

WEB_DIRECTORY = "./web"

register_with_comfy()

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS", "WEB_DIRECTORY"]
