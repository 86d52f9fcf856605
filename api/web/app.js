// clipindex web page: the router, the API key panel, and the header's jobs badge. Views live in search.js,
// video.js, edit.js, jobs.js and reels.js; shared helpers in core.js.
"use strict";

// When reads need a key (CLIPINDEX_READ_AUTH=1), <video>, <img> and download links cannot send it as a header: the
// page trades the key for a read pass that the server keeps in an HttpOnly cookie (reads only, for 12 hours), and
// renews it hourly while the page is in use. Without a key there is nothing to trade.
let passRenewed = 0;
async function readPass(force = false) {
  if (!apiKey() || (!force && Date.now() - passRenewed < 3600e3)) return null;
  try {
    const pass = await api("/v1/session", { method: "POST", write: true });
    passRenewed = Date.now();
    return pass;
  } catch (err) {
    return null;  // a wrong key is said where it is used, in words
  }
}

async function route() {
  await readPass();
  const [path, query] = location.hash.slice(1).split("?");
  const params = new URLSearchParams(query || "");
  const parts = (path || "/").split("/").filter(Boolean);
  const name = parts[0] === "video" ? "videos" : parts[0] || "search";
  for (const a of document.querySelectorAll("[data-nav]"))
    if (a.dataset.nav === name) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  document.title = "clipindex";
  if (parts[0] === "video" && parts[1]) return videoView(decodeURIComponent(parts[1]), params);
  if (parts[0] === "videos") return videosView();
  if (parts[0] === "ingest") return ingestView();
  if (parts[0] === "jobs") return jobsView(params);
  if (parts[0] === "reels") return reelsView();
  return searchView(params);
}

function keyPanel() {
  const input = $("#api-key");
  const summary = $("#key-summary");
  const label = () => { summary.textContent = apiKey() ? "API key ✓" : "API key"; };
  input.value = apiKey();
  label();
  $("#key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    localStorage.setItem("clipindex-key", input.value.trim());
    label();
    $("#key-panel").open = false;
    toast(input.value.trim() ? "Key saved in this browser." : "Key removed from this browser.");
    if (!apiKey()) { passRenewed = 0; api("/v1/session", { method: "DELETE" }).catch(() => {}); return; }
    // on a server that asks a key for reads, the view is shown again now that its media and frames may load
    readPass(true).then((pass) => { if (pass && pass.read_auth) route(); });
  });
}

keyPanel();
window.addEventListener("hashchange", route);
route();
refreshBadge();
