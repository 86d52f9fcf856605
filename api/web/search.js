// Search: the form with its filters, and results grouped by video (date, channel, length, a frame at the moment).
"use strict";

let searchState = null;

async function searchView(params) {
  const root = show("#search-view");
  const form = $("#search-form");
  // listeners first: a search typed before the filters have loaded must not submit the form the browser's way
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) p.set(k, v);
    location.hash = `#/?${p}`;
  });
  // one page a press: a second press (a double click) while the page loads would ask for the same offset again
  $("#more").addEventListener("click", async (e) => {
    const more = e.currentTarget;
    if (more.disabled || !searchState) return;
    more.disabled = true;
    try {
      await runSearch(searchState.params, searchState.offset, root);
      // Back from a result comes here again: the link says how many were shown, to show them all again
      const p = new URLSearchParams(searchState.params);
      p.set("shown", String(searchState.offset));
      history.replaceState(history.state, "", `#/?${p}`);
    } finally {
      const hadFocus = document.activeElement === more || document.activeElement === document.body;
      more.disabled = false;
      if (hadFocus && !more.hidden) more.focus();  // disabling it dropped a keyboard user's place
    }
  });
  // and the place on the page, kept with this entry of the history when a result is opened
  $("#results").addEventListener("click", (e) => {
    if (e.target.closest("a")) history.replaceState({ ...history.state, scrollY: window.scrollY }, "");
  }, true);
  const shown = Math.min(Math.max(Number(params.get("shown")) || PAGE, PAGE), MOST);
  params.delete("shown");
  for (const [k, v] of params) if (form.elements[k]) form.elements[k].value = v;
  try { await fillFilters(params); } catch (err) { /* the filters stay "all"; the search itself says what failed */ }
  if (!alive(root)) return;
  for (const k of ["video", "channel"]) if (params.get(k)) form.elements[k].value = params.get(k);
  if (["video", "channel", "language", "after", "before", "mode"].some((k) => params.get(k)))
    $(".filters-box").open = true;
  if (params.get("q")) {
    await runSearch(params, 0, root, shown);
    const y = history.state && history.state.scrollY;
    if (y && alive(root)) window.scrollTo(0, y);
  }
  else setState($("#search-status"), "empty", "Type a quote as you remember it, or a few keywords.");
}

async function fillFilters(params) {
  const list = await videos(true);
  const pick = $("#filter-video"), channel = $("#filter-channel");
  for (const v of list) pick.append(el("option", { value: v.id, text: v.title }));
  for (const c of [...new Set(list.map((v) => v.channel).filter(Boolean))].sort())
    channel.append(el("option", { value: c, text: c }));
  if (params.get("video") && !list.some((v) => v.id === params.get("video")))
    pick.append(el("option", { value: params.get("video"), text: params.get("video") }));
}

const PAGE = 20;  // hits shown a page; one more is asked for, to know whether "More results" has any to show
const MOST = 99;  // the most shown again at once (the server gives 100 a request)

async function runSearch(params, offset, root, count = PAGE) {
  const status = $("#search-status");
  const p = new URLSearchParams(params);
  p.set("limit", String(count + 1));
  p.set("offset", String(offset));
  setState(status, "loading", "Searching…");
  try {
    const [result, list] = await Promise.all([api(`/v1/search?${p}`), videos()]);
    if (!alive(root)) return;
    const byId = new Map(list.map((v) => [v.id, v]));
    if (offset === 0) $("#results").replaceChildren();
    const more = result.hits.length > count;
    const hits = result.hits.slice(0, count);
    for (const hit of hits) addHit(hit, byId.get(hit.video_id), result.mode);
    const shown = offset + hits.length;
    const what = result.mode === "quote" ? "where this quote was said" : "passages with these words";
    // the total is the server's estimate; where no more came back, what is shown is all there is
    const of = more ? `of about ${Math.max(result.total, shown + 1)}` : `of ${shown}`;
    if (shown) setState(status, "ok", `${shown} ${of} ${what}` +
      (result.timed_out ? " (the search stopped early: narrow it with filters for more)" : ""));
    else setState(status, "empty", result.mode === "quote"
      ? "Nobody said anything close to this quote in the archive." : "No passage has these words.");
    undatedNote(params, list);
    searchState = { params, offset: shown };
    $("#more").hidden = !more;
  } catch (err) {
    if (alive(root)) setState(status, "error", `The search did not work: ${err.message}`);
  }
}

// Date filters cannot match a video with no date: say so, rather than let it vanish.
function undatedNote(params, list) {
  const note = $("#undated-note");
  if (!params.get("after") && !params.get("before")) { note.hidden = true; return; }
  const undated = list.filter((v) => !v.published && (!params.get("video") || v.id === params.get("video")));
  note.hidden = !undated.length;
  note.replaceChildren(`${undated.length} video${undated.length === 1 ? " has" : "s have"} no date, so the date ` +
    "filter leaves them out: ", ...undated.slice(0, 5).flatMap((v, i) => [i ? ", " : "",
    el("a", { href: `#/video/${encodeURIComponent(v.id)}`, text: v.title })]),
    undated.length > 5 ? "…" : "", ". Give them a date with “Edit details” on their page.");
}

function videoGroup(video, id) {
  const key = `group-${id}`;
  let group = document.getElementById(key);
  if (group) return group;
  const facts = video ? [niceDate(video.published) || "no date", video.channel, duration(video.duration)] : [];
  group = el("article", { class: "group", id: key },
    el("h2", {}, el("a", { href: `#/video/${encodeURIComponent(id)}`, dir: "auto", text: video ? video.title : id })),
    el("p", { class: "meta", text: facts.filter(Boolean).join(" · ") }),
    el("ol", { class: "hits" }));
  $("#results").append(group);
  return group;
}

// Keyword hits show the sentences that hold a match, not the whole passage around them.
function trimmed(snippet) {
  // a sentence ends at . ! ? … (or Chinese, Japanese, Arabic 。！？؟), perhaps followed by a closing quote (escaped)
  // and the end of a mark; Chinese and Japanese put no space after it
  const sentences = String(snippet).split(
    /(?<=[.!?…؟](?:&quot;|&#x27;|[”»)])?(?:<\/mark>)?)\s+(?=\S)|(?<=[。！？](?:[”」』)])?(?:<\/mark>)?)\s*(?=\S)/);
  const keep = sentences.filter((s) => s.includes("<mark>") || s.includes("</mark>"));
  if (!keep.length || keep.length === sentences.length) return snippet;
  let text = keep.reduce((out, s) => out + (out && spaced(out, s.replace(/<\/?mark>/g, "")) ? " " : "") + s, "");
  const opens = (text.match(/<mark>/g) || []).length, closes = (text.match(/<\/mark>/g) || []).length;
  if (closes > opens) text = `<mark>${text}`;
  if (opens > closes) text = `${text}</mark>`;
  return `… ${text.replace(/^…\s*/, "").replace(/\s*…$/, "")} …`;
}

let hitCount = 0;  // ids for the controls' names

function addHit(hit, video, mode) {
  const list = videoGroup(video, hit.video_id).querySelector(".hits");
  // twenty "Play" buttons read alike in a screen reader's list: each is named by its own words, its time and title
  const id = `hit${++hitCount}`;
  const title = video ? video.title : hit.title || hit.video_id;
  // the words in their language, so that a screen reader reads Russian as Russian (the page is English)
  const spoken = video && video.language && video.language !== "und" ? video.language : null;
  const named = (role) => ({ id: `${id}-${role}`, "aria-labelledby": `${id}-${role} ${id}-when ${id}-title` });
  const at = `#/video/${encodeURIComponent(hit.video_id)}?t=${hit.start.toFixed(2)}&end=${hit.end.toFixed(2)}`;
  const thumb = video && video.has_video
    ? el("img", { class: "thumb", alt: `Frame at ${clock(hit.start)}`, loading: "lazy", width: "160", height: "90",
      src: `/v1/videos/${encodeURIComponent(hit.video_id)}/frame?t=${hit.start.toFixed(1)}` })
    : el("div", { class: "thumb thumb-none", "aria-hidden": "true", text: video && !video.has_video ? "♪" : "" });
  const body = el("div", { class: "hit-body" },
    el("span", { id: `${id}-title`, hidden: true, text: title }),
    el("p", { class: "when" }, el("a", { href: at, id: `${id}-when`, text: `${clock(hit.start)}–${clock(hit.end)}` }),
      hit.chapter ? el("span", { class: "chapter" }, " · ", el("bdi", { lang: spoken, text: hit.chapter })) : null),
    el("p", { class: "snippet", dir: "auto", lang: spoken }, marked(mode === "keyword" ? trimmed(hit.snippet) : hit.snippet)));
  if (hit.differences && hit.differences.length)
    body.append(el("p", { class: "diff", text: `Said differently: ${hit.differences.join("; ")}` }));
  const actions = el("p", { class: "actions" },
    el("a", { class: "btn", href: `${at}&play=1`, text: "Play", ...named("play") }),  // opens it playing
    el("button", { type: "button", class: "secondary", text: "Add to reel", ...named("reel"),
      onclick: (e) => addToReel({ hit: { video_id: hit.video_id, start: hit.start, end: hit.end, text: hit.text } }, e.target) }),
    el("button", { type: "button", class: "secondary", text: "Copy quote", ...named("copy"),
      onclick: () => copyQuote(hit.text, video ? video.title : hit.title, hit.video_id, hit.start, hit.end) }));
  if (hit.links && hit.links.watch && /^https?:/.test(hit.links.watch))
    actions.append(el("a", { class: "btn secondary", href: hit.links.watch, text: "On YouTube", rel: "noopener", target: "_blank" }));
  if (hit.links && hit.links.article)
    actions.append(el("a", { class: "btn secondary", href: hit.links.article, text: "In the article", rel: "noopener", target: "_blank" }));
  body.append(actions);
  list.append(el("li", { class: "hit" }, thumb, body));
}

async function copyQuote(text, title, videoId, start, end) {
  const link = `${location.origin}/#/video/${encodeURIComponent(videoId)}?t=${start.toFixed(2)}&end=${end.toFixed(2)}`;
  const quote = `“${text.trim()}” (${title}, ${clock(start)})\n${link}`;
  if (await copyText(quote)) toast("Quote and link copied.");
  else toast(`Copy this: ${quote}`, "note");
  return quote;
}

// The reel that "Add to reel" fills: the one chosen in this browser (on the Reels page, or filled last) while it
// exists; else the reel changed last, as a browser that never chose one would otherwise make yet another; else a new
// one, which is deleted again if the server refuses the clip (a captions-only video, say) so that no empty reel stays.
async function reelToFill() {
  const reels = await api("/v1/reels");
  const chosen = reels.find((r) => r.id === localStorage.getItem("clipindex-reel"));
  if (chosen) return { id: chosen.id, made: false };
  if (reels.length)  // the one changed last (its updated_at)
    return { id: reels.reduce((a, b) => ((b.updated_at || 0) >= (a.updated_at || 0) ? b : a)).id, made: false };
  const made = await api("/v1/reels", { json: { title: `Reel of ${new Date().toLocaleDateString()}` }, write: true });
  return { id: made.id, made: true };
}

const ADD_LABEL = "Add to reel";
// a reel's title as a button shows it: a pasted slug or URL would make the button, and the page, as wide as itself
function shortTitle(title, most = 40) {
  const chars = Array.from(String(title));
  return chars.length > most ? `${chars.slice(0, most - 1).join("")}…` : String(title);
}

// An "Add to reel" button back to its first state: for a new selection, whose words have not been added yet.
function resetAdded(button) {
  if (!button) return;
  button.textContent = ADD_LABEL;
  delete button.dataset.added;
  delete button.dataset.again;
}

// Adds a clip from a hit, a chapter or selected words. The button then says where it went; pressed again, it asks
// before adding the same moment a second time. Another button's count would go stale as clips are added: it keeps
// only where its clip went.
async function addToReel(body, button) {
  if (button.dataset.added && !button.dataset.again) {
    button.dataset.again = "1";
    button.textContent = "Add it again?";
    toast(`Already added to “${button.dataset.added}”. Press “Add it again?” to add it a second time.`, "note");
    return;
  }
  const original = button.textContent;
  button.disabled = true;
  try {
    const target = await reelToFill();
    let r;
    try {
      r = await api(`/v1/reels/${encodeURIComponent(target.id)}/clips`, { json: body, write: true });
    } catch (err) {
      if (target.made) await api(`/v1/reels/${encodeURIComponent(target.id)}`, { method: "DELETE", write: true }).catch(() => {});
      throw err;
    }
    localStorage.setItem("clipindex-reel", r.id);
    for (const other of document.querySelectorAll("[data-added]"))
      if (other !== button && !other.dataset.again) other.textContent = `Added to ${shortTitle(other.dataset.added)}`;
    const clips = `${r.clips.length} clip${r.clips.length === 1 ? "" : "s"}`;
    button.dataset.added = r.title;
    delete button.dataset.again;
    button.textContent = `Added (${clips} in ${shortTitle(r.title)})`;
    toast(`Added to “${r.title}”: ${clips}, ${clock(r.duration)}.`);
  } catch (err) {
    button.textContent = original;
    toast(`Not added: ${err.message}`, "error");
  } finally {
    const hadFocus = document.activeElement === button || document.activeElement === document.body;
    button.disabled = false;
    if (hadFocus && alive(button)) button.focus();  // disabling it dropped a keyboard user's place on the page
  }
}
