// ComfyUI Arena: a status badge (cache use, the copy in progress) and the
// summaries of the Arena nodes shown on the nodes themselves. The data comes
// from the package's route /arena/status, which asks arenad over its socket.
import { app } from "../../scripts/app.js";
import { api } from "../../scripts/api.js";

const POLL_MS = 3000;
const ARENA_NODES = new Set(["ArenaAutoCacheStats", "ArenaAutoCacheTrim"]);

function createBadge() {
  const badge = document.createElement("div");
  badge.id = "arena-status-badge";
  Object.assign(badge.style, {
    position: "fixed",
    left: "8px",
    bottom: "8px",
    zIndex: "1000",
    padding: "3px 8px",
    borderRadius: "4px",
    font: "12px sans-serif",
    color: "#ddd",
    background: "rgba(20, 20, 20, 0.8)",
    pointerEvents: "auto",
    whiteSpace: "nowrap",
  });
  badge.textContent = "Arena · …";
  document.body.appendChild(badge);
  return badge;
}

function show(badge, data) {
  badge.textContent = data.text || "Arena";
  badge.title = [data.message, data.socket && `socket: ${data.socket}`, ...(data.problems || [])].filter(Boolean).join("\n");
  badge.style.borderLeft = `3px solid ${data.running === false ? "#c44" : data.state && data.state !== "ready" ? "#ca3" : "#4a4"}`;
}

async function poll(badge) {
  try {
    const response = await api.fetchApi("/arena/status");
    show(badge, await response.json());
  } catch (error) {
    show(badge, { running: false, text: "Arena · ComfyUI did not answer", message: String(error) });
  }
}

app.registerExtension({
  name: "ComfyUI.Arena.StatusBadge",
  async setup() {
    const badge = createBadge();
    await poll(badge);
    setInterval(() => poll(badge), POLL_MS);
  },
  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (!ARENA_NODES.has(nodeData.name)) return;
    const onExecuted = nodeType.prototype.onExecuted;
    nodeType.prototype.onExecuted = function (message) {
      onExecuted?.apply(this, arguments);
      const text = message?.text?.[0];
      if (text === undefined) return;
      let view = this.widgets?.find((widget) => widget.name === "arena_summary");
      if (!view) {
        const textarea = document.createElement("textarea");
        textarea.readOnly = true;
        Object.assign(textarea.style, { width: "100%", minHeight: "5em", font: "11px monospace" });
        view = this.addDOMWidget("arena_summary", "arena_summary", textarea, { serialize: false, getValue: () => textarea.value, setValue: (v) => (textarea.value = v) });
        view.element = textarea;
      }
      view.element.value = text;
      this.setDirtyCanvas?.(true, true);
    };
  },
});
