// clipindex web page: the router, the API key panel, and the header's jobs badge. Views live in search.js,
// video.js, edit.js, jobs.js and reels.js; shared helpers in core.js.
"use strict";

// When reads need a key (CLIPINDEX_READ_AUTH=1), <video>, <img> and download links cannot send it as a header: the
// page trades the key for a read pass that the server keeps in an HttpOnly cookie (reads only, for 12 hours), and
// renews it hourly while the page is in use. Without a key there is nothing to trade.
let passRenewed = 0;
let refusedKey = null;  // a key the server refused: not offered again on every change of view
async function readPass(force = false) {
  if (!apiKey() || apiKey() === refusedKey || (!force && Date.now() - passRenewed < 3600e3)) return null;
  try {
    const pass = await api("/v1/session", { method: "POST", write: true });
    passRenewed = Date.now();
    keyLabel(true);
    return pass;
  } catch (err) {
    if (err.status === 401) { refusedKey = apiKey(); keyLabel(false); }
    return null;  // a wrong key is also said where it is used, in words
  }
}

// The panel's summary: a check mark only for a key the server has taken, a cross for one it refused.
function keyLabel(valid = null) {
  const summary = $("#key-summary");
  if (!apiKey()) summary.textContent = "API key";
  else if (valid === false) summary.textContent = "API key ✗ (not valid)";
  else if (valid === true) summary.textContent = "API key ✓";
}

const VIEW_TITLES = { "": "Search", videos: "Videos", video: "Video", ingest: "Add a video", jobs: "Jobs",
  reels: "Reels" };

async function route() {
  await readPass();
  const [path, query] = location.hash.slice(1).split("?");
  const params = new URLSearchParams(query || "");
  const parts = (path || "/").split("/").filter(Boolean);
  const name = parts[0] === "video" ? "videos" : parts[0] || "search";
  for (const a of document.querySelectorAll("[data-nav]"))
    if (a.dataset.nav === name) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  // each view its own title (a screen reader's first words, a browser tab's name); a video's page names the video
  const q = parts[0] ? "" : params.get("q");
  document.title = `${q ? `“${q}” · ` : ""}${VIEW_TITLES[parts[0] || ""] || "Search"} · clipindex`;
  if (parts[0] === "video" && parts[1]) return videoView(decodeURIComponent(parts[1]), params);
  if (parts[0] === "videos") return videosView();
  if (parts[0] === "ingest") return ingestView();
  if (parts[0] === "jobs") return jobsView(params);
  if (parts[0] === "reels") return reelsView();
  return searchView(params);
}

function keyPanel() {
  const input = $("#api-key");
  const panel = $("#key-panel");
  input.value = apiKey();
  $("#key-summary").textContent = "API key";  // until the server has said whether it knows the key
  keyLabel();
  panel.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !panel.open) return;
    e.preventDefault();
    panel.open = false;
    $("#key-summary").focus();
  });
  $("#key-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    localStorage.setItem("clipindex-key", key);
    refusedKey = null;
    panel.open = false;
    $("#key-summary").focus();  // the form is gone: the keyboard goes on from the panel's summary, not the top
    if (!key) {
      keyLabel();
      toast("Key removed from this browser.");
      passRenewed = 0;
      api("/v1/session", { method: "DELETE" }).catch(() => {});
      return;
    }
    // the server is asked at once whether it knows the key, rather than let the next edit find out
    const pass = await readPass(true);
    if (apiKey() !== key) return;  // another key was saved meanwhile
    if (refusedKey === key) {
      toast("This key is not valid (unknown or revoked): check it and paste it again.", "error");
      panel.open = true;
      input.focus();
      input.select();
      return;
    }
    toast(pass ? "Key saved in this browser." : "Key saved in this browser; the server could not check it now.");
    // on a server that asks a key for reads, the view is shown again now that its media and frames may load
    if (pass && pass.read_auth) route();
  });
}

keyPanel();
window.addEventListener("hashchange", route);
route();
refreshBadge();
