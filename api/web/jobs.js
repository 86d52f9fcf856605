// Adding a video, and the jobs view: every job lives in the server's queue, so the list survives leaving the page
// and reloading it; running ones show how much audio is done and about how long is left, failed ones say why.
"use strict";

function ingestView() {
  const root = show("#ingest-view");
  const form = $("#ingest-form");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const status = $("#ingest-status");
    const file = form.elements.file.files[0];
    const url = form.elements.url.value.trim();
    if (!file && !url) { setState(status, "error", "Give a YouTube link or choose a file."); return; }
    let request;
    if (file) {
      const body = new FormData();
      body.set("file", file);
      for (const k of ["language", "captions", "title"]) if (form.elements[k].value) body.set(k, form.elements[k].value.trim());
      request = { body, write: true };
    } else {
      const json = { url, captions: form.elements.captions.value };
      if (form.elements.language.value) json.language = form.elements.language.value.trim();
      request = { json, write: true };
    }
    setState(status, "loading", file ? `Sending ${file.name}…` : "Sending…");
    try {
      const job = await api("/v1/videos", request);
      if (!alive(root)) return;
      refreshBadge();
      location.hash = `#/jobs?job=${encodeURIComponent(job.id)}`;
    } catch (err) {
      if (alive(root)) setState(status, "error", `Not added: ${err.message}`);
    }
  });
}

const ACTIVE = ["queued", "running"];
const STEP_WORDS = { fetch: "Fetching", audio: "Reading the audio", transcript: "Transcribing", chapters: "Finding chapters",
  index: "Indexing", article: "Linking the article", render: "Rendering" };

function jobLine(job) {
  if (job.state === "queued") return "Waiting for a free worker";
  if (job.state === "running") {
    if (job.stalled_s !== null && job.stalled_s !== undefined) {  // its worker may have died: no estimate holds
      const when = job.takeover_s > 0 ? `in about ${duration(Math.max(job.takeover_s, 1))}` : "as soon as one is free";
      return `Its worker has not reported for ${duration(job.stalled_s)}: another worker takes the job over ${when}`;
    }
    // what the step waits for or where it runs, in the server's words: "waiting on the asr queue", "another process
    // on HOST is ingesting this video: waiting for it", "12.3 MB"
    if (job.detail) return `${STEP_WORDS[job.step] || "Working"}: ${pageWords(job.detail)}`;
    if (job.audio_total) {
      const left = job.eta_s !== null && job.eta_s !== undefined ? `, about ${duration(Math.max(job.eta_s, 1))} left` : "";
      return `Transcribing: ${clock(job.audio_done)} of ${clock(job.audio_total)}${left}`;
    }
    return `${STEP_WORDS[job.step] || "Working"}…`;
  }
  if (job.state === "done") {
    if (job.kind === "render") return "Rendered";
    const videos = (job.result && job.result.videos) || [];
    const failed = videos.filter((v) => v.status === "failed").length;
    return failed ? `Added ${videos.length - failed} of ${videos.length}: ${failed} could not be added` : "Added";
  }
  if (job.state === "cancelled") return "Cancelled";
  return `Failed: ${job.error ? pageWords(job.error) : "no reason was given"}`;
}

const cancelling = new Set();  // jobs asked to stop whose worker has not stopped yet

function jobCard(job, highlight) {
  const card = el("li", { class: `card job job-${job.state}${highlight ? " current" : ""}`, "data-job": job.id,
    "data-step": job.step || "", tabindex: "-1" },
    el("h2", { text: job.kind === "render" ? `Render of ${job.title}` : job.title || "A video" }),
    el("p", { class: `state state-${job.state === "failed" ? "error" : ACTIVE.includes(job.state) ? "loading" : "ok"}`,
      text: jobLine(job) }));
  if (ACTIVE.includes(job.state)) {
    const asked = cancelling.has(job.id);
    card.append(el("progress", { max: "1", value: String(job.progress), "aria-label": `Progress of ${job.title}` },
      `${Math.round(job.progress * 100)}%`));
    // a running job stops when its worker next reports: until then the button says so, and cannot be pressed twice
    // (aria-disabled, not disabled: a disabled button would drop the keyboard's focus to the page's top)
    card.append(el("p", { class: "actions" }, el("button", { type: "button", class: "secondary",
      text: asked ? "Cancelling…" : "Cancel", "aria-disabled": asked ? "true" : null, "aria-label": `Cancel ${job.title}`,
      onclick: async (e) => {
        const button = e.currentTarget;
        if (cancelling.has(job.id)) return;
        cancelling.add(job.id);
        button.setAttribute("aria-disabled", "true");
        button.textContent = "Cancelling…";
        try { await api(`/v1/jobs/${job.id}`, { method: "DELETE", write: true }); }
        catch (err) {
          cancelling.delete(job.id);
          toast(`Not cancelled: ${err.message}`, "error");
          if (alive(button)) { button.removeAttribute("aria-disabled"); button.textContent = "Cancel"; }
        }
      } })));
  }
  // a video that failed was not stored: no link to it (a 404), but what went wrong, one line each
  const videos = job.result && job.result.videos ? job.result.videos : [];
  const done = videos.filter((v) => v.video_id && v.status !== "failed");
  const failed = videos.filter((v) => v.status === "failed");
  if (job.state === "done" && failed.length) {
    const list = el("ul", { class: "job-failures" });
    for (const v of failed.slice(0, 10))
      list.append(el("li", { class: "meta", text: `${v.title || v.video_id || v.source}: ${pageWords(v.error || "failed")}` }));
    if (failed.length > 10) list.append(el("li", { class: "meta", text: `and ${failed.length - 10} more` }));
    card.append(list);
  }
  if (job.state === "done" && done.length) {
    const links = el("p", { class: "actions" });
    for (const v of done.slice(0, 5))
      links.append(el("a", { class: "btn", href: `#/video/${encodeURIComponent(v.video_id)}`,
        text: done.length === 1 ? "Open the video" : `Open ${v.title || v.video_id}`,
        "aria-label": done.length === 1 ? `Open the video ${v.title || job.title || ""}`.trim() : null }));
    if (done.some((v) => v.status === "skipped")) links.append(el("span", { class: "meta", text: " Already in the archive." }));
    card.append(links);
  }
  if (job.state === "done" && job.kind === "render" && job.result)
    card.append(el("p", { class: "actions" }, el("a", { class: "btn", href: job.result.file, download: "", text: "Download the MP4" })));
  card.append(el("p", { class: "meta", text: `Started ${new Date(job.created_at * 1000).toLocaleString()}` }));
  return card;
}

// The list is drawn anew at each poll, but a card whose job kept its state and step is kept and only its words and
// progress move on: a card replaced under the keyboard (its Cancel, say) would drop the focus to the page's top.
function placeCards(list, cards) {
  const before = new Map([...list.children].map((c) => [c.dataset.job, c]));
  const focused = document.activeElement;
  cards.forEach((fresh, i) => {
    const old = before.get(fresh.dataset.job);
    let card = fresh;
    if (old && old.className === fresh.className && old.dataset.step === fresh.dataset.step) {
      card = old;
      old.querySelector("h2").textContent = fresh.querySelector("h2").textContent;
      old.querySelector(".state").textContent = fresh.querySelector(".state").textContent;
      const bar = old.querySelector("progress"), now = fresh.querySelector("progress");
      if (bar && now) { bar.value = now.value; bar.textContent = now.textContent; }
    } else if (old) {
      old.replaceWith(fresh);
      if (old.contains(focused)) {  // its state changed: the key goes to the same control, else to the card
        const label = focused.getAttribute("aria-label");
        const same = label && [...fresh.querySelectorAll("button, a")].find((b) => b.getAttribute("aria-label") === label);
        (same || fresh).focus();
      }
    }
    if (list.children[i] !== card) list.insertBefore(card, list.children[i] || null);
  });
  while (list.children.length > cards.length) list.lastElementChild.remove();
}

// What a screen reader is told as jobs go on: a job that changes step or ends, once, not every second of audio.
function announceJobs(seen, jobs) {
  const said = [];
  for (const j of jobs) {
    const now = `${j.state}/${j.step || ""}`;
    if (seen.has(j.id) && seen.get(j.id) !== now) said.push(`${j.title || "A video"}: ${jobLine(j)}`);
    else if (!seen.has(j.id) && seen.size) said.push(`New job, ${j.title || "a video"}: ${jobLine(j)}`);
    seen.set(j.id, now);
    if (!ACTIVE.includes(j.state)) cancelling.delete(j.id);
  }
  if (said.length) $("#jobs-live").textContent = said.join(". ");
}

const IDLE_POLL = 5000;  // nothing running: a colleague's new job still shows within seconds

async function jobsView(params) {
  const root = show("#jobs-view");
  const wanted = params.get("job");
  const seen = new Map();
  const tick = async () => {
    try {
      const jobs = await api("/v1/jobs?limit=30");
      if (jobs.some((j) => j.kind === "render")) {  // a render job knows its reel by id; people know it by title
        const reels = new Map((await api("/v1/reels")).map((r) => [r.id, r.title]));
        for (const j of jobs) if (j.kind === "render") j.title = `“${reels.get(j.title.replace(/^reel /, "")) || "a deleted reel"}”`;
      }
      if (!alive(root)) return;
      const count = jobs.length
        ? `${jobs.filter((j) => ACTIVE.includes(j.state)).length} running or waiting, ${jobs.length} in all`
        : "No jobs yet: videos you add and reels you render appear here.";
      // a live line written again with the same words is read out again: only a change is written
      if ($("#jobs-status").textContent !== count) setState($("#jobs-status"), jobs.length ? "ok" : "empty", count);
      announceJobs(seen, jobs);
      placeCards($("#job-list"), jobs.map((j) => jobCard(j, j.id === wanted)));
      showBadge(jobs);
      later(tick, jobs.some((j) => ACTIVE.includes(j.state)) ? 700 : IDLE_POLL);
    } catch (err) {
      if (!alive(root)) return;
      setState($("#jobs-status"), "error", `The jobs did not load: ${sentence(err.message)} Trying again…`);
      later(tick, 3000);
    }
  };
  tick();
}

function showBadge(jobs) {
  const n = jobs.filter((j) => ACTIVE.includes(j.state)).length;
  const badge = $("#jobs-badge");
  badge.hidden = !n;
  badge.textContent = String(n);
  badge.setAttribute("aria-label", `${n} running`);
}

// The header's count, on every view: every 3 s while something runs, and slowly while nothing does, so that a job
// a colleague starts shows here too.
let badgeTimer = null;
async function refreshBadge() {
  clearTimeout(badgeTimer);
  let wait = 15000;
  try {
    const jobs = await api("/v1/jobs?limit=30");
    showBadge(jobs);
    wait = jobs.some((j) => ACTIVE.includes(j.state)) ? 3000 : IDLE_POLL;
  } catch (err) { /* the badge is a hint; the jobs page says what went wrong */ }
  clearTimeout(badgeTimer);
  badgeTimer = setTimeout(refreshBadge, wait);
}
