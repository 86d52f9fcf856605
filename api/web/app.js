// clipindex web page: plain JavaScript, no CDN, no innerHTML with data (every text goes through textContent).
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const view = $("#view");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

function clock(s) {
  s = Math.max(0, Math.floor(s || 0));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

// The snippet marks matched words with <mark>...</mark>; everything else is shown as text, never parsed as HTML.
function marked(snippet) {
  const out = document.createDocumentFragment();
  let inMark = false;
  for (const part of String(snippet || "").split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") inMark = true;
    else if (part === "</mark>") inMark = false;
    else if (part) out.append(inMark ? el("mark", { text: part }) : document.createTextNode(part));
  }
  return out;
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new Error((body && body.error) || `HTTP ${response.status}`);
  return body;
}

function show(templateId) {
  view.replaceChildren($(templateId).content.cloneNode(true));
  view.focus({ preventScroll: true });
}

// ---- search -----------------------------------------------------------------------------------------------
let searchState = null;

function searchView(params) {
  show("#search-view");
  const form = $("#search-form");
  for (const [k, v] of params) if (form.elements[k]) form.elements[k].value = v;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) p.set(k, v);
    location.hash = `#/?${p}`;
  });
  $("#more").addEventListener("click", () => runSearch(searchState.params, searchState.offset));
  if (params.get("q")) runSearch(params, 0);
}

async function runSearch(params, offset) {
  const status = $("#search-status");
  const p = new URLSearchParams(params);
  p.set("limit", "10");
  p.set("offset", String(offset));
  status.textContent = "Searching…";
  try {
    const result = await api(`/v1/search?${p}`);
    if (offset === 0) $("#hits").replaceChildren();
    for (const hit of result.hits) $("#hits").append(hitItem(hit));
    const shown = offset + result.hits.length;
    status.textContent = shown ? `${shown} of about ${result.total} (${result.mode} mode)` : "No matches.";
    searchState = { params, offset: shown };
    $("#more").hidden = result.hits.length < 10;
  } catch (err) {
    status.textContent = `Search failed: ${err.message}`;
  }
}

function hitItem(hit) {
  const at = `#/video/${encodeURIComponent(hit.video_id)}?t=${hit.start.toFixed(2)}&end=${hit.end.toFixed(2)}`;
  const item = el("li", { class: "hit" },
    el("h3", {}, el("a", { href: at, text: hit.title })),
    el("p", { class: "meta", text: `${clock(hit.start)}–${clock(hit.end)}` +
      (hit.chapter ? ` · ${hit.chapter}` : "") + ` · score ${hit.score.toFixed(2)}` }),
    el("p", { class: "snippet" }, marked(hit.snippet)));
  if (hit.differences && hit.differences.length)
    item.append(el("p", { class: "diff", text: `Differs from what was said: ${hit.differences.join("; ")}` }));
  const links = el("p", {}, el("a", { href: at, text: "Play this moment" }), " ",
    el("button", { type: "button", class: "small", text: "Add to reel", onclick: (e) => addToReel({ hit }, e.target) }));
  if (hit.links && hit.links.watch) links.append(" · ", el("a", { href: hit.links.watch, text: "Watch", rel: "noopener" }));
  if (hit.links && hit.links.article)
    links.append(" · ", el("a", { href: hit.links.article, text: "Article paragraph", rel: "noopener" }));
  item.append(links);
  return item;
}

// ---- videos ----------------------------------------------------------------------------------------------
async function videosView() {
  show("#videos-view");
  try {
    const videos = await api("/v1/videos");
    $("#videos-status").textContent = videos.length ? "" : "No videos yet: add one.";
    for (const v of videos) {
      $("#video-list").append(el("li", { class: "card" },
        el("a", { href: `#/video/${encodeURIComponent(v.id)}`, text: v.title }),
        el("p", { class: "meta", text: [clock(v.duration), v.language, v.transcript, v.state].filter(Boolean).join(" · ") })));
    }
  } catch (err) {
    $("#videos-status").textContent = `Could not list videos: ${err.message}`;
  }
}

// ---- one video: player, chapters, transcript with the current word, article --------------------------------
let player = null;

async function videoView(id, params) {
  show("#video-view");
  const start = parseFloat(params.get("t") || "0") || 0;
  const end = parseFloat(params.get("end") || "0") || 0;
  try {
    const video = await api(`/v1/videos/${encodeURIComponent(id)}`);
    $("#video-title").textContent = video.title;
    $("#video-meta").textContent = [clock(video.duration), video.language, video.channel, video.published,
      video.transcript].filter(Boolean).join(" · ");
    player = makePlayer(video, start, end);
    const transcript = await api(`/v1/videos/${encodeURIComponent(id)}/transcript`);
    renderTranscript(transcript);
    loadChapters(id);
    loadArticle(id);
  } catch (err) {
    $("#video-title").textContent = `Could not open this video: ${err.message}`;
  }
}

function youtubeId(video) {
  const m = /^yt:([A-Za-z0-9_-]{11})$/.exec(video.id);
  return m ? m[1] : null;
}

function makePlayer(video, start, end) {
  const box = $("#player");
  if (video.media_url) {
    const tag = video.has_video ? "video" : "audio";
    const media = el(tag, { controls: true, preload: "metadata", src: video.media_url + (start || end ? `#t=${start}${end ? "," + end : ""}` : "") });
    box.replaceChildren(media);
    let sought = false;  // a word clicked before the metadata arrived wins over the start from the link
    media.addEventListener("loadedmetadata", () => { if (!sought) media.currentTime = start; }, { once: true });
    return { seek(t) { sought = true; media.currentTime = t; media.play().catch(() => {}); }, media };
  }
  const yt = youtubeId(video);
  if (yt) {
    const frame = (t) => el("iframe", {
      title: `YouTube player: ${video.title}`, allow: "autoplay; encrypted-media; picture-in-picture",
      allowfullscreen: true,
      src: `https://www.youtube-nocookie.com/embed/${yt}?start=${Math.floor(t)}${end ? `&end=${Math.ceil(end)}` : ""}&autoplay=${t ? 1 : 0}` });
    box.replaceChildren(frame(start));
    return { seek(t) { box.replaceChildren(frame(t)); }, media: null };
  }
  box.replaceChildren(el("p", { class: "hint", text: "No media for this video (its transcript came from captions)." }));
  return { seek() {}, media: null };
}

function renderTranscript(tr) {
  const box = $("#transcript");
  const words = [];
  box.replaceChildren();
  for (const seg of tr.segments) {
    const p = el("p", { lang: tr.language });
    for (const w of seg.words) {
      const span = el("span", { class: "word", tabindex: "0", role: "button", "data-start": w.start, text: w.text,
        "aria-label": `${w.text}, at ${clock(w.start)}` });
      span.addEventListener("click", () => player.seek(w.start));
      span.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); player.seek(w.start); } });
      p.append(span, " ");
      words.push([w.start, w.end, span]);
    }
    box.append(p);
  }
  if (player && player.media) follow(player.media, words);
}

function follow(media, words) {
  let current = null;
  media.addEventListener("timeupdate", () => {
    const t = media.currentTime;
    let lo = 0, hi = words.length - 1, found = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid][0] <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const span = found !== null && t <= words[found][1] + 0.3 ? words[found][2] : null;
    if (span === current) return;
    if (current) current.classList.remove("current");
    current = span;
    if (span) {
      span.classList.add("current");
      const box = $("#transcript");
      if (span.offsetTop < box.scrollTop || span.offsetTop > box.scrollTop + box.clientHeight - 40)
        box.scrollTop = span.offsetTop - box.clientHeight / 3;
    }
  });
}

async function loadChapters(id) {
  try {
    const chapters = await api(`/v1/videos/${encodeURIComponent(id)}/chapters`);
    for (const c of chapters) {
      const n = $("#chapters").children.length + 1;
      $("#chapters").append(el("li", {}, el("button", { type: "button", text: `${clock(c.start)} ${c.title}`,
        onclick: () => player.seek(c.start) }), " ",
        c.source === chapters[0].source ? el("button", { type: "button", class: "small", text: "Add to reel",
          "aria-label": `Add chapter ${c.title} to the reel`, onclick: (e) => addToReel({ video: id, chapter: n }, e.target) }) : null));
    }
  } catch (err) { $("#chapters").append(el("li", { class: "hint", text: "No chapters." })); }
}

async function loadArticle(id) {
  let links;
  try { links = await api(`/v1/videos/${encodeURIComponent(id)}/article`); } catch (err) { return; }
  $("#article-title").hidden = false;
  $("#article-title").textContent = links.title || "Article";
  for (const p of links.paragraphs || []) {
    const li = el("li", {}, el("p", { text: p.text }));
    if (p.start !== null && p.start !== undefined)
      li.append(el("button", { type: "button", text: `Play from ${clock(p.start)}`, onclick: () => player.seek(p.start) }));
    else li.append(el("p", { class: "hint", text: "Not covered by the video." }));
    for (const q of p.quotes || [])
      li.append(el("p", { class: q.status === "verbatim" ? "meta" : "diff", text: `“${q.text}”: ${q.status}${q.detail ? " — " + q.detail : ""}` }));
    $("#article").append(li);
  }
}

// ---- ingest with a live progress bar -------------------------------------------------------------------------
function ingestView() {
  show("#ingest-view");
  const form = $("#ingest-form");
  form.elements.key.value = localStorage.getItem("clipindex-key") || "";
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const key = form.elements.key.value.trim();
    localStorage.setItem("clipindex-key", key);
    const headers = { Authorization: `Bearer ${key}` };
    const file = form.elements.file.files[0];
    let request;
    if (file) {
      const body = new FormData();
      body.set("file", file);
      for (const k of ["language", "captions"]) if (form.elements[k].value) body.set(k, form.elements[k].value);
      request = { method: "POST", headers, body };
    } else {
      const body = { url: form.elements.url.value.trim(), captions: form.elements.captions.value };
      if (form.elements.language.value) body.language = form.elements.language.value;
      request = { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) };
    }
    $("#job").hidden = false;
    $("#job-status").textContent = "Submitting…";
    try {
      const job = await api("/v1/videos", request);
      watchJob(job.id);
    } catch (err) {
      $("#job-status").textContent = `Refused: ${err.message}`;
    }
  });
}

async function watchJob(id) {
  const job = await api(`/v1/jobs/${id}`);
  $("#job-progress").value = job.progress;
  $("#job-status").textContent = `${job.state}${job.step ? ` (${job.step})` : ""}: ${Math.round(job.progress * 100)}%` +
    (job.error ? ` — ${job.error}` : "");
  if (job.state === "done") {
    const first = job.result && job.result.videos && job.result.videos[0];
    if (first && first.video_id)
      $("#job-status").append(" ", el("a", { href: `#/video/${encodeURIComponent(first.video_id)}`, text: "Open the video" }));
    return;
  }
  if (job.state === "queued" || job.state === "running") setTimeout(() => watchJob(id), 700);
}

// ---- reels: add clips, reorder, render with progress, download -----------------------------------------------
function authHeaders() {
  return { Authorization: `Bearer ${localStorage.getItem("clipindex-key") || ""}`, "Content-Type": "application/json" };
}

async function addToReel(body, button) {
  const reel = localStorage.getItem("clipindex-reel");
  if (!reel) { button.textContent = "Choose a reel on the Reels page first"; return; }
  try {
    const r = await api(`/v1/reels/${encodeURIComponent(reel)}/clips`, { method: "POST", headers: authHeaders(), body: JSON.stringify(body) });
    button.textContent = `Added (${r.clips.length} clips in ${r.title})`;
  } catch (err) { button.textContent = `Not added: ${err.message}`; }
}

async function reelsView() {
  show("#reels-view");
  const key = $("#reel-key");
  key.value = localStorage.getItem("clipindex-key") || "";
  key.addEventListener("change", () => localStorage.setItem("clipindex-key", key.value.trim()));
  $("#reel-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    localStorage.setItem("clipindex-key", key.value.trim());
    try {
      const reel = await api("/v1/reels", { method: "POST", headers: authHeaders(), body: JSON.stringify({ title: $("#reel-title").value }) });
      localStorage.setItem("clipindex-reel", reel.id);
      reelsView();
    } catch (err) { $("#reels-status").textContent = `Not created: ${err.message}`; }
  });
  const reels = await api("/v1/reels");
  $("#reels-status").textContent = reels.length ? "" : "No reels yet.";
  for (const reel of reels) $("#reel-list").append(reelCard(reel));
}

function reelCard(reel) {
  const current = localStorage.getItem("clipindex-reel") === reel.id;
  const card = el("li", { class: current ? "card current" : "card" },
    el("h2", { text: `${reel.title} (${reel.clips.length} clips, ${clock(reel.duration)})` }),
    el("button", { type: "button", class: "small", text: current ? "Adding clips here" : "Add clips here",
      onclick: () => { localStorage.setItem("clipindex-reel", reel.id); reelsView(); } }));
  const list = el("ol", { class: "clips" });
  reel.clips.forEach((c, i) => {
    const move = (to) => async () => {
      await api(`/v1/reels/${encodeURIComponent(reel.id)}/clips/${i + 1}/move`, { method: "POST", headers: authHeaders(), body: JSON.stringify({ to }) });
      reelsView();
    };
    list.append(el("li", {}, document.createTextNode(`${c.label || c.video_id} (${clock(c.start)}–${clock(c.end)})`),
      i > 0 ? el("button", { type: "button", text: "↑", "aria-label": `Move clip ${i + 1} up`, onclick: move(i) }) : null,
      i < reel.clips.length - 1 ? el("button", { type: "button", text: "↓", "aria-label": `Move clip ${i + 1} down`, onclick: move(i + 2) }) : null,
      el("button", { type: "button", text: "Remove", "aria-label": `Remove clip ${i + 1}`, onclick: async () => {
        await api(`/v1/reels/${encodeURIComponent(reel.id)}/clips/${i + 1}`, { method: "DELETE", headers: authHeaders() });
        reelsView();
      } })));
  });
  const status = el("p", { role: "status", "aria-live": "polite" });
  const bar = el("progress", { max: "1", value: "0", hidden: true });
  const fast = el("input", { type: "checkbox" });
  const render = el("button", { type: "button", text: "Render MP4", onclick: async () => {
    try {
      const job = await api(`/v1/reels/${encodeURIComponent(reel.id)}/render`, { method: "POST", headers: authHeaders(), body: JSON.stringify({ fast: fast.checked }) });
      bar.hidden = false;
      followRender(job.id, status, bar);
    } catch (err) { status.textContent = `Not rendered: ${err.message}`; }
  } });
  card.append(list, el("p", {}, render, " ", el("label", {}, fast, " fast (cuts snap to keyframes)")), bar, status);
  return card;
}

async function followRender(id, status, bar) {
  const job = await api(`/v1/jobs/${id}`);
  bar.value = job.progress;
  status.textContent = `${job.state}: ${Math.round(job.progress * 100)}%${job.error ? " — " + job.error : ""}`;
  if (job.state === "done") status.append(" ", el("a", { href: job.result.file, text: "Download the MP4", download: "" }));
  else if (job.state === "queued" || job.state === "running") setTimeout(() => followRender(id, status, bar), 700);
}

// ---- routing -----------------------------------------------------------------------------------------------
function route() {
  const [path, query] = location.hash.slice(1).split("?");
  const params = new URLSearchParams(query || "");
  const parts = (path || "/").split("/").filter(Boolean);
  if (parts[0] === "video" && parts[1]) return videoView(decodeURIComponent(parts[1]), params);
  if (parts[0] === "videos") return videosView();
  if (parts[0] === "ingest") return ingestView();
  if (parts[0] === "reels") return reelsView();
  return searchView(params);
}

window.addEventListener("hashchange", route);
route();
