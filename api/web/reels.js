// Reels: create, rename, delete; clips previewed, reordered, trimmed word by word, removed; render and export.
"use strict";

async function reelsView() {
  const root = show("#reels-view");
  $("#reel-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const reel = await api("/v1/reels", { json: { title: $("#reel-title").value }, write: true });
      localStorage.setItem("clipindex-reel", reel.id);
      toast(`Created “${reel.title}”: clips you add now go there.`);
      await reelsView();
      focusCard(reel.id);
    } catch (err) { setState($("#reels-status"), "error", `Not created: ${err.message}`); }
  });
  try {
    const [reels, list] = await Promise.all([api("/v1/reels"), videos(true)]);
    if (!alive(root)) return;
    setState($("#reels-status"), reels.length ? "ok" : "empty", reels.length
      ? "“Add to reel” on search results and in transcripts adds to the reel marked “Adding clips here”."
      : "No reels yet: create one, then add clips from search results or a transcript.");
    const byId = new Map(list.map((v) => [v.id, v]));
    for (const reel of reels) $("#reel-list").append(reelCard(reel, byId));
  } catch (err) {
    if (alive(root)) setState($("#reels-status"), "error", `The reels did not load: ${err.message}`);
  }
}

// Clips are named by their place in the reel as this page shows it: the request says which version that was
// (If-Match), and a reel changed meanwhile in another window or by another editor is refused (409) instead of an
// edit of whatever clip holds that place now. Either way the page then shows the reel as it is.
// The view is drawn again after every action; `keep` puts the keyboard back where it was: on the control with the
// same label (`focus`), with the clip's Trim tools open again where they were (`trim`: the clip's number).
async function reelCall(reel, path, options, message, keep = {}) {
  const headers = reel.updated_at == null ? {} : { "If-Match": `"${reel.updated_at}"` };
  try {
    await api(`/v1/reels/${encodeURIComponent(reel.id)}${path}`, { ...options, headers, write: true });
    if (message) toast(message);
  } catch (err) {
    toast(err.status === 409 ? "The reel was changed elsewhere meanwhile (another window or editor): it is shown " +
      "as it is now. Do it again if it is still wanted." : err.message, "error");
  }
  await reelsView();
  const card = [...document.querySelectorAll("#reel-list .reel")].find((c) => c.dataset.reel === reel.id);
  if (!card) return;
  const item = keep.trim && card.querySelectorAll(".clip")[keep.trim - 1];
  if (item && item.openTrim) await item.openTrim();
  const target = keep.focus && [...card.querySelectorAll("button")].find((b) => b.getAttribute("aria-label") === keep.focus);
  if (target) target.focus();
  else if (keep.focus !== undefined) focusCard(reel.id);  // the button went (a rename refused, say): its reel, then
}

// The keyboard's place after an action whose button has gone (a new reel, a rename, "Add clips here"): the reel's
// title, from which Tab goes on to its tools, rather than the top of the page.
function focusCard(id) {
  const card = [...document.querySelectorAll("#reel-list .reel")].find((c) => c.dataset.reel === id);
  const heading = card && card.querySelector("h2");
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

function reelCard(reel, byId) {
  const current = localStorage.getItem("clipindex-reel") === reel.id;
  const title = el("h2", { text: reel.title });
  const card = el("li", { class: current ? "card reel current" : "card reel", "data-reel": reel.id }, title,
    el("p", { class: "meta", text: `${reel.clips.length} clip${reel.clips.length === 1 ? "" : "s"}, ${clock(reel.duration)}` }));
  const tools = el("p", { class: "actions" },
    current ? el("span", { class: "pill", text: "Adding clips here" })
      : el("button", { type: "button", class: "secondary", text: "Add clips here",
        onclick: async () => { localStorage.setItem("clipindex-reel", reel.id); await reelsView(); focusCard(reel.id); } }),
    el("button", { type: "button", class: "secondary", text: "Rename", "aria-label": `Rename ${reel.title}`, onclick: () => {
      const form = el("form", { class: "row" }, el("input", { value: reel.title, maxlength: "200", "aria-label": "New title", required: true }),
        el("button", { type: "submit", text: "Save" }));
      form.onsubmit = (e) => {
        e.preventDefault();
        const to = form.elements[0].value;
        reelCall(reel, "", { method: "PATCH", json: { title: to } }, "Renamed.", { focus: `Rename ${to.trim()}` });
      };
      title.replaceChildren(form);
      form.elements[0].focus();
      form.elements[0].select();  // typing replaces the old title, as a rename usually wants
    } }),
    el("button", { type: "button", class: "danger", text: "Delete", "aria-label": `Delete ${reel.title}`, onclick: (e) => {
      if (e.target.dataset.armed) { reelCall(reel, "", { method: "DELETE" }, `Deleted “${reel.title}”.`); return; }
      e.target.dataset.armed = "1";
      e.target.textContent = "Delete for good?";
      e.target.setAttribute("aria-label", `Delete ${reel.title} for good`);
    } }));
  card.append(tools);
  const list = el("ol", { class: "clips" });
  reel.clips.forEach((c, i) => list.append(clipItem(reel, c, i, byId.get(c.video_id))));
  if (!reel.clips.length) list.append(el("li", { class: "state state-empty", text: "No clips yet." }));
  card.append(list);
  if (reel.clips.length) {
    const conform = el("p", { class: "state state-empty conform-note", role: "note" });
    card.append(renderBox(reel), el("p", { class: "exports-line" }, "Export the timeline: ",
      exportLinks(`/v1/reels/${encodeURIComponent(reel.id)}/export`,
        [["otio", "OTIO"], ["edl", "EDL"], ["fcpxml", "FCPXML"], ["srt", "SRT"], ["vtt", "WebVTT"], ["ttml", "TTML"], ["json", "JSON"]])),
      conform);
    showConform(reel, conform);
  }
  return card;
}

// An EDL has one frame rate: clips at another (10 fps, 12.5, variable) are conformed to it, which the file's
// comments and the server's X-Clipindex-Warnings header say. The page says it too, before the editor downloads.
async function showConform(reel, node) {
  try {
    const { headers } = await api(`/v1/reels/${encodeURIComponent(reel.id)}/export?format=edl`, { withHeaders: true });
    const notes = (headers.get("x-clipindex-warnings") || "").split(" | ").filter(Boolean);
    if (notes.length && node.isConnected) node.textContent = `The EDL changes timing: ${notes.join("; ")}.`;
  } catch (err) { /* the EDL link itself says what is wrong when it is used */ }
}

function clipItem(reel, c, i, video) {
  const n = i + 1, last = reel.clips.length;
  // each title in its own direction (dir=auto isolates it): after an Arabic title, "0:05–0:10" would read "0:10–0:05"
  const label = el("span", { class: "clip-label", dir: "auto", text: `${c.label || (video ? video.title : c.video_id)}` });
  const from = video && video.title !== c.label ? [el("span", { dir: "auto", text: video.title }), ", "] : [];
  const when = el("span", { class: "meta" }, " ", ...from, `${clock(c.start)}–${clock(c.end)} (${(c.end - c.start).toFixed(1)} s)`);
  const item = el("li", { class: "clip" }, el("div", {}, label, when));
  item.openTrim = () => trimTools(item, reel, c, n);
  const row = el("div", { class: "clip-tools" },
    n > 1 ? el("button", { type: "button", class: "secondary", text: "↑", "aria-label": `Move clip ${n} up`,
      onclick: () => reelCall(reel, `/clips/${n}/move`, { json: { to: n - 1 } }, "",
        { focus: n - 1 > 1 ? `Move clip ${n - 1} up` : "Move clip 1 down" }) }) : null,
    n < last ? el("button", { type: "button", class: "secondary", text: "↓", "aria-label": `Move clip ${n} down`,
      onclick: () => reelCall(reel, `/clips/${n}/move`, { json: { to: n + 1 } }, "",
        { focus: n + 1 < last ? `Move clip ${n + 1} down` : `Move clip ${n + 1} up` }) }) : null,
    el("button", { type: "button", class: "secondary", text: "Preview", "aria-label": `Preview clip ${n}`,
      onclick: () => previewClip(item, c, video) }),
    el("button", { type: "button", class: "secondary", text: "Trim", "aria-label": `Trim clip ${n}`,
      onclick: () => item.openTrim() }),
    el("button", { type: "button", class: "danger", text: "Remove", "aria-label": `Remove clip ${n}`,
      onclick: () => reelCall(reel, `/clips/${n}`, { method: "DELETE" }, "Clip removed.",
        { focus: `Remove clip ${Math.min(n, last - 1)}` }) }));
  item.append(row);
  return item;
}

function previewClip(item, c, video) {
  const old = item.querySelector(".preview");
  if (old) { old.remove(); return; }
  if (!video || !video.transcript) return;  // a clip's video has its media once it has a transcript
  const box = el("div", { class: "preview" });
  const media = el(video.has_video ? "video" : "audio", { controls: true, preload: "metadata",
    src: `/media/${encodeURIComponent(c.video_id)}#t=${c.start},${c.end}` });
  media.addEventListener("error", () => box.replaceChildren(el("p", { class: "state state-error",
    text: "This clip's media cannot be played here." })), { once: true });
  media.addEventListener("loadedmetadata", () => { media.play().catch(() => {}); }, { once: true });
  box.append(media);
  item.append(box);
}

// Trim by word: each edge steps to the previous or next word boundary of the transcript.
async function trimTools(item, reel, c, n) {
  const old = item.querySelector(".trim");
  if (old) { old.remove(); return; }
  let words;
  try {
    const tr = await api(`/v1/videos/${encodeURIComponent(c.video_id)}/transcript`);
    words = tr.segments.flatMap((s) => s.words);
  } catch (err) { toast(err.message, "error"); return; }
  const starts = words.map((w) => w.start), ends = words.map((w) => w.end);
  const step = (list, t, dir) => dir < 0 ? [...list].reverse().find((x) => x < t - 0.01) : list.find((x) => x > t + 0.01);
  const edge = (name, value, list) => {
    const text = (w) => {
      const at = words.find((x) => Math.abs((name === "start" ? x.start : x.end) - w) < 0.02);
      return at ? `“${at.text}”` : clock(w);
    };
    return el("span", { class: "edge" }, `${name === "start" ? "Starts at" : "Ends after"} ${text(value)} `,
      el("button", { type: "button", class: "secondary", text: "◀ word", "aria-label": `${name === "start" ? "Start" : "End"} of clip ${n} one word earlier`,
        onclick: (e) => move(name, step(list, value, -1), e.currentTarget.getAttribute("aria-label")) }),
      el("button", { type: "button", class: "secondary", text: "word ▶", "aria-label": `${name === "start" ? "Start" : "End"} of clip ${n} one word later`,
        onclick: (e) => move(name, step(list, value, 1), e.currentTarget.getAttribute("aria-label")) }));
  };
  const move = (name, t, pressed) => {  // the Trim tools open again, the key on the button pressed
    if (t === undefined) return;
    const body = { start: name === "start" ? t : c.start, end: name === "end" ? t : c.end };
    if (body.end <= body.start) { toast("A clip keeps at least one word.", "error"); return; }
    reelCall(reel, `/clips/${n}`, { method: "PATCH", json: body }, "", { trim: n, focus: pressed });
  };
  item.append(el("div", { class: "trim" }, edge("start", c.start, starts), edge("end", c.end, ends)));
}

function renderBox(reel) {
  const status = el("p", { class: "state", role: "status", "aria-live": "polite" });
  const bar = el("progress", { max: "1", value: "0", hidden: true, "aria-label": `Rendering ${reel.title}` });
  const fast = el("input", { type: "checkbox" });
  const titles = el("input", { type: "checkbox" });
  const captions = el("select", { "aria-label": "Captions" }, el("option", { value: "none", text: "No captions" }),
    el("option", { value: "sidecar", text: "Caption files beside it" }), el("option", { value: "burn", text: "Captions in the picture" }));
  const render = el("button", { type: "button", text: "Render MP4", onclick: async () => {
    try {
      const job = await api(`/v1/reels/${encodeURIComponent(reel.id)}/render`,
        { json: { fast: fast.checked, captions: captions.value, titles: titles.checked }, write: true });
      bar.hidden = false;
      refreshBadge();
      followRender(job.id, status, bar);
    } catch (err) { setState(status, "error", `Not rendered: ${err.message}`); }
  } });
  return el("div", { class: "render" }, el("p", { class: "actions" }, render, captions,
    el("label", { class: "inline" }, fast, " Fast (copies the video where it can)"),
    el("label", { class: "inline" }, titles, " Title cards (each clip's label before it)")), bar, status);
}

async function followRender(id, status, bar) {
  if (!alive(status)) return;
  try {
    const job = await api(`/v1/jobs/${id}`);
    if (!alive(status)) return;
    bar.value = job.progress;
    setState(status, job.state === "failed" ? "error" : job.state === "done" ? "ok" : "loading", jobLine(job));
    if (job.state === "done") {
      status.append(" ", el("a", { class: "btn", href: job.result.file, text: "Download the MP4", download: "" }));
      for (const w of job.result.warnings || []) status.append(el("span", { class: "note", text: ` Note: ${w}` }));
    } else if (ACTIVE.includes(job.state)) later(() => followRender(id, status, bar), 700);
  } catch (err) { setState(status, "error", err.message); }
}
