// Videos: the list, and one video's page, where the transcript is the working surface: click a word to play from
// it; select words to copy them as a quote with a link, play just them, or add them to a reel as a clip.
"use strict";

async function videosView() {
  const root = show("#videos-view");
  try {
    const list = await videos(true);
    if (!alive(root)) return;
    if (!list.length) {
      setState($("#videos-status"), "empty", "The archive is empty.");
      $("#videos-status").append(" ", el("a", { href: "#/ingest", text: "Add the first video" }));
      return;
    }
    setState($("#videos-status"), "ok", `${list.length} video${list.length === 1 ? "" : "s"}`);
    for (const v of list) {
      const facts = [niceDate(v.published) || "no date", v.channel, duration(v.duration), madeBy(v.transcript),
        stateNote(v)];
      $("#video-list").append(el("li", { class: "card" },
        el("h2", {}, el("a", { href: `#/video/${encodeURIComponent(v.id)}`, dir: "auto", text: v.title })),
        el("p", { class: "meta", text: facts.filter(Boolean).join(" · ") })));
    }
  } catch (err) {
    if (alive(root)) setState($("#videos-status"), "error", `The list of videos did not load: ${err.message}`);
  }
}

let player = null;

async function videoView(id, params) {
  const root = show("#video-view");
  // past the player and the chapters in one key press: to the transcript's tab stop (the word at the moment)
  $("#skip-transcript").onclick = () => {
    const word = $("#transcript .word[tabindex='0']");
    if (word) word.focus(); else $("#transcript").scrollIntoView();  // still loading: at least in sight
  };
  const start = parseFloat(params.get("t") || "0") || 0;
  const end = parseFloat(params.get("end") || "0") || 0;
  let video;
  try {
    video = await api(`/v1/videos/${encodeURIComponent(id)}`);
  } catch (err) {
    if (alive(root)) { $("#video-title").textContent = "This video cannot be opened"; setState($("#video-meta"), "error", err.message); }
    return;
  }
  if (!alive(root)) return;
  showDetails(video);
  player = makePlayer(video, start, end, params.get("play") === "1");
  $("#transcript-exports").replaceChildren(exportLinks(`/v1/videos/${encodeURIComponent(video.id)}/transcript`,
    [["srt", "SRT"], ["vtt", "WebVTT"], ["ttml", "TTML"], ["txt", "Text"], ["json", "JSON"]]));
  try {
    const transcript = await api(`/v1/videos/${encodeURIComponent(video.id)}/transcript`);
    if (!alive(root)) return;
    renderTranscript(video, transcript);
  } catch (err) {
    if (alive(root)) $("#transcript").replaceChildren(el("p", { class: "state state-error", text: err.message }));
  }
  loadChapters(video.id, root, video.language);
  loadArticle(video.id, root);
}

function showDetails(video) {
  $("#video-title").textContent = video.title;
  document.title = `${video.title} · clipindex`;
  $("#video-meta").textContent = [niceDate(video.published) || "no date", video.channel, duration(video.duration),
    video.language === "und" ? null : video.language, madeBy(video.transcript)].filter(Boolean).join(" · ");
  const form = $("#edit-form");
  $("#edit-box").hidden = false;
  form.elements.title.value = video.title;
  form.elements.channel.value = video.channel || "";
  form.elements.published.value = video.published || "";
  form.onsubmit = async (e) => {
    e.preventDefault();
    try {
      const saved = await api(`/v1/videos/${encodeURIComponent(video.id)}`, { method: "PATCH", write: true, json: {
        title: form.elements.title.value, channel: form.elements.channel.value,
        published: form.elements.published.value } });
      videoCache = null;
      showDetails(saved);
      $("#edit-box").open = false;
      $("#edit-box summary").focus();  // the form folded away: the keyboard stays where it was
      toast("Details saved.");
    } catch (err) { toast(`Not saved: ${err.message}`, "error"); }
  };
}

// what a listing says of a video that is not ready: which steps did not finish, and what to do
function stateNote(v) {
  const steps = Object.entries(v.unfinished || {}).map(([step, state]) => `${step} ${state}`).join(", ");
  if (v.state === "ingesting") return `being ingested${steps ? ` (${steps})` : ""}`;
  if (v.state === "incomplete") return `not finished${steps ? ` (${steps})` : ""}: add it again to resume`;
  return null;
}

function youtubeId(video) {
  const m = /^yt:([A-Za-z0-9_-]{11})$/.exec(video.id);
  return m ? m[1] : null;
}

function makePlayer(video, start, end, autoplay = false) {
  const box = $("#player");
  if (video.media_url) {
    const media = el(video.has_video ? "video" : "audio", { controls: true, preload: "metadata", src: video.media_url,
      "aria-label": `${video.has_video ? "Video" : "Audio"}: ${video.title}` });
    // captions in the picture (a deaf editor, full screen): the transcript as WebVTT, which the server writes
    if (video.has_video)
      media.append(el("track", { kind: "captions", default: true, label: "Transcript",
        srclang: video.language && video.language !== "und" ? video.language : null,
        src: `/v1/videos/${encodeURIComponent(video.id)}/transcript?format=vtt` }));
    box.replaceChildren(media);
    let sought = false;  // a word clicked before the metadata arrived wins over the start from the link
    let stopAt = null;
    let waiting = null;  // a click's play, held back until it is clear that no second click makes it a double click
    // a link without a time plays from the start as loaded: no seek to 0, whose late "seeked" would look like a click's
    // a result's Play opens the video playing from its moment (a click on this page: the browser allows it)
    media.addEventListener("loadedmetadata", () => {
      if (sought) return;
      if (start > 0) media.currentTime = start;
      if (autoplay) media.play().catch(() => {});
    }, { once: true });
    media.addEventListener("timeupdate", () => {
      if (stopAt !== null && media.currentTime >= stopAt) { media.pause(); stopAt = null; }
    });
    // a pause while a click's play is held back (the player's button, a key, a script) stands: the held play is
    // dropped, not started after it; a double click can still take the seek back
    media.addEventListener("pause", () => { if (waiting) clearTimeout(waiting.timer); });
    media.addEventListener("error", () => {
      box.append(el("p", { class: "state state-error", text: "The media does not play: the server cannot read it " +
        "(it may have been moved or deleted). The transcript below still works." }));
    }, { once: true });
    return {
      media,
      start,
      seek(t, until = null, { hold = 0 } = {}) {
        clearTimeout(waiting ? waiting.timer : null);
        waiting = hold ? { time: media.currentTime, paused: media.paused, sought } : null;
        sought = true; stopAt = until; media.currentTime = t;
        if (!hold) { media.play().catch(() => {}); return; }
        waiting.timer = setTimeout(() => { waiting = null; media.play().catch(() => {}); }, hold);
      },
      // the click was the first of a double click, which selects a word: its seek is taken back, and nothing plays
      unseek() {
        if (!waiting) return;
        clearTimeout(waiting.timer);
        media.currentTime = waiting.time;
        sought = waiting.sought;
        if (waiting.paused) media.pause();
        waiting = null;
      },
    };
  }
  const yt = youtubeId(video);
  if (yt) {
    const frame = (t, until) => el("iframe", {
      title: `YouTube player: ${video.title}`, allow: "autoplay; encrypted-media; picture-in-picture", allowfullscreen: true,
      src: `https://www.youtube-nocookie.com/embed/${yt}?start=${Math.floor(t)}${until ? `&end=${Math.ceil(until)}` : ""}&autoplay=${t ? 1 : 0}` });
    box.replaceChildren(frame(start, end));
    return { seek(t, until = null) { box.replaceChildren(frame(t, until)); }, unseek() {}, media: null, start };
  }
  box.replaceChildren(el("p", { class: "state state-empty", text: "No picture or sound here: this transcript came from captions only." }));
  return { seek() {}, unseek() {}, media: null, start };
}

const UNSURE = 0.5;  // a word the recogniser gave less than even odds
const DOUBLE_CLICK_MS = 350;

// The word at `t` seconds (the last one started by then), as an index, or null.
function wordAt(words, t) {
  let lo = 0, hi = words.length - 1, found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid].start <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

function renderTranscript(video, tr) {
  const box = $("#transcript");
  const words = [];
  box.replaceChildren();
  if (!tr.segments.length) box.append(el("p", { class: "state state-empty", text: "No words were recognised in this video." }));
  for (const seg of tr.segments) {
    const p = el("p", { lang: tr.language, dir: textDir(tr.language) });
    let before = "";
    for (const raw of seg.words) {
      const w = { ...raw, text: String(raw.text).trim() };  // Whisper-style words may carry a leading space
      const i = words.length;
      const fixed = w.source === "editor" || w.source === "article";
      const unsure = !fixed && w.probability < UNSURE;
      const cls = ["word", unsure ? "unsure" : "", fixed ? "edited" : ""].filter(Boolean).join(" ");
      const span = el("span", { class: cls, "data-i": String(i), "data-start": w.start, text: w.text,
        title: w.source === "editor" ? "Corrected by an editor" : w.source === "article" ? "Corrected to the article's wording"
          : unsure ? "Hard to hear: check it" : null });
      // a double click selects the word: the first click's play waits for the time a second click could take
      span.addEventListener("click", (e) => {
        if (e.detail > 1) player.unseek();
        else if (!selectedRange()) player.seek(w.start, null, { hold: DOUBLE_CLICK_MS });
      });
      span.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); player.seek(w.start); } });
      if (before && spaced(before, w.text)) p.append(" ");  // none between Chinese characters
      p.append(span);
      before = w.text;
      words.push({ ...w, span });
    }
    box.append(p);
  }
  if (player && player.media) follow(player.media, words);
  // Tab enters the transcript at the moment the link named, or at the word playing, not back at its first word
  const media = player && player.media;
  const at = media && media.currentTime > 0 ? media.currentTime : (player && player.start) || 0;
  keyboardSelection(words, box, setupSelection(video, words), wordAt(words, at) || 0);
}

function follow(media, list) {
  media.transcriptWords = list;  // a corrected transcript replaces the words; the one listener reads the latest
  if (media.following) return;
  media.following = true;
  let current = null;
  media.addEventListener("timeupdate", () => {
    const words = media.transcriptWords;
    const t = media.currentTime;
    const found = wordAt(words, t);
    const span = found !== null && t <= words[found].end + 0.3 ? words[found].span : null;
    if (span === current) return;
    if (current) current.classList.remove("current");
    current = span;
    if (span) {
      span.classList.add("current");
      const box = $("#transcript");
      // not under the keyboard: in the words, or in the bar whose Escape goes back to the word it came from
      const keys = document.activeElement;
      // only while it plays: a seek's word (a click's, which lands a hair before the word clicked) is not moved to
      // nor under a press: pressing a word takes its tab stop away until the release, and the playing word took it
      if (box && box.moveStop && !media.paused && !media.seeking && !box.contains(keys)
          && !$("#selection-bar").contains(keys) && !transcriptPressed()) box.moveStop(found);
      if (box && !transcriptPressed()) {  // not under a reader's drag: the words would move beneath the pointer
        // measured on screen: the word's offsetTop counts from the page, not from the box that scrolls
        const at = span.getBoundingClientRect(), view = box.getBoundingClientRect();
        if (at.top < view.top || at.bottom > view.bottom - 40)
          box.scrollTop += at.top - view.top - box.clientHeight / 3;
      }
    }
  });
}

// The words under the browser's selection, as indices [first, last], or null.
function selectedRange() {
  const sel = window.getSelection();
  const box = $("#transcript");
  if (!sel || sel.isCollapsed || !box || !sel.rangeCount) return null;
  const range = sel.getRangeAt(0);
  if (!box.contains(range.commonAncestorContainer)) return null;
  const trimmedEdge = (w, atStart) => {  // a selection that only touches a word's edge does not take the word
    const node = w.firstChild;
    if (atStart && range.startContainer === node) return range.startOffset >= node.length;
    if (!atStart && range.endContainer === node) return range.endOffset === 0;
    return false;
  };
  // Where both ends lie inside words (a click, a drag, Shift+arrows), they are the answer: testing every word of a
  // four-hour transcript against the range took a second a keystroke. Otherwise every word is tested.
  const inWord = (node) => (node.nodeType === 3 ? node.parentElement : null)?.closest(".word");
  const first = inWord(range.startContainer), last = inWord(range.endContainer);
  if (first && last && first.textContent.trim() && last.textContent.trim() &&
      !trimmedEdge(first, true) && !trimmedEdge(last, false)) {
    return [Number(first.dataset.i), Number(last.dataset.i)];
  }
  const picked = [...box.querySelectorAll(".word")].filter((w) => range.intersectsNode(w) && w.textContent.trim());
  while (picked.length && trimmedEdge(picked[0], true)) picked.shift();
  while (picked.length && trimmedEdge(picked[picked.length - 1], false)) picked.pop();
  if (!picked.length) return null;
  return [Number(picked[0].dataset.i), Number(picked[picked.length - 1].dataset.i)];
}

// The selection's bar, set up anew each time the words are drawn (a correction or its undo draws them again): the
// selection of the words before has gone with them, and so do the bar, its label and the correction form.
// Returns the function that brings the bar up to date with the selection.
function setupSelection(video, words) {
  const bar = $("#selection-bar");
  let current = null;
  bar.hidden = true;
  $("#selection-label").textContent = "";
  $("#fix-form").hidden = true;
  resetAdded($("#sel-reel"));
  const update = () => {
    if (!alive(bar) || transcriptPressed()) return;  // a drag goes on: the bar waits for the button's release
    const range = selectedRange();
    if (!range) {
      if (!$("#fix-form").hidden) return;
      if (current) $("#selection-live").textContent = "Selection cleared";
      bar.hidden = true; current = null; return;
    }
    if (!current || range[0] !== current[0] || range[1] !== current[1]) resetAdded($("#sel-reel"));  // a new span
    current = range;
    const [a, b] = range;
    const label = `${b - a + 1} word${a === b ? "" : "s"} selected, ${clock(words[a].start)}–${clock(words[b].end)}`;
    $("#selection-label").textContent = label;
    $("#selection-live").textContent = label;  // read out by screen readers as the selection grows or shrinks
    bar.hidden = false;
  };
  document.onselectionchange = update;
  const span = () => {
    const [a, b] = current;
    return { a, b, start: words[a].start, end: words[b].end, text: joinWords(words.slice(a, b + 1).map((w) => w.text)) };
  };
  $("#sel-copy").onclick = () => { if (current) { const s = span(); copyQuote(s.text, video.title, video.id, s.start, s.end); } };
  $("#sel-play").onclick = () => { if (current) { const s = span(); player.seek(s.start, s.end); } };
  $("#sel-reel").onclick = (e) => {
    if (!current) return;
    const s = span();
    addToReel({ video: video.id, start: s.start, end: s.end, snap: "word", pad: 0, label: s.text.slice(0, 200) }, e.target);
  };
  setupCorrections(video, words, () => (current ? span() : null));
  return update;
}

const FOLDED_CHAPTERS = 12;  // more chapters than this are shown folded
const CHAPTER_KINDS = { editor: "An editor's chapters", creator: "The creator's chapters", computed: "Computed chapters" };
const CHAPTER_NEAR = 1;  // seconds: "New chapter here" so close to a chapter's start would make a chapter of nothing
const MADE_TITLE = "title made from its words";  // an editor's chapter's method where its title was not typed
const UNDO_ARMED_MS = 5000;  // the second press of "Undo chapter edits" counts within this long
const kindName = (source) => (CHAPTER_KINDS[source] || `${source} chapters`).toLowerCase();

// whether this server takes an editor's chapters (older servers do not)
async function takesChapterEdits() {
  const paths = await serverPaths(), list = paths["/v1/videos/{video_id}/chapters"];
  return Boolean(list && list.put && paths["/v1/videos/{video_id}/chapters/{number}"]);
}

// The page edits chapters only with a key in this browser that the server has not refused (app.js's readPass says),
// on a server that takes the edits: without one it shows the chapters and no edit controls.
async function mayEditChapters() {
  if (!apiKey() || apiKey() === refusedKey) return false;
  return takesChapterEdits();
}

// Each fetch of the chapter list takes a ticket, and it draws only where no fetch was asked and no list drawn since:
// the list asked for at the page's load, or before a correction's undo, could come back after a later one and put
// back a title that the words no longer say.
let chaptersAsked = 0;

async function loadChapters(id, root, language) {
  const page = { id, lang: language && language !== "und" ? language : null,  // a screen reader reads the titles in theirs
    writable: false };
  const ticket = ++chaptersAsked;
  try {
    const [chapters, writable] = await Promise.all([api(`/v1/videos/${encodeURIComponent(id)}/chapters`), mayEditChapters()]);
    if (!alive(root) || ticket !== chaptersAsked) return;
    page.writable = writable;
    drawChapters(page, chapters);  // drawn again after a correction, which titles the chapters anew
  } catch (err) {
    if (alive(root) && ticket === chaptersAsked) $("#chapters").replaceChildren(el("li", { class: "state state-empty", text: "No chapters." }));
  }
}

// The list shown (an editor's, else the creator's, else the computed one: the API gives it first), with its tools
// where the page may write; any other kind the video keeps, folded under it.
function drawChapters(page, chapters) {
  const list = $("#chapters"), box = $("#chapters-box");
  if (!alive(list)) return;
  chaptersAsked++;  // a fetch asked before this list was drawn (an edit's answer) brings back an older one
  // the keyboard on a control drawn anew (the list redrawn after an edit that was refused) stays on its new self
  const had = box.contains(document.activeElement) ? document.activeElement : null;
  const label = had && had.tagName === "BUTTON" ? had.getAttribute("aria-label") || had.textContent : null;
  const kind = chapters.length ? chapters[0].source : null;
  const shown = chapters.filter((c) => c.source === kind);
  list.replaceChildren(...shown.map((c, i) => chapterItem(page, shown, i)));
  if (!shown.length) list.append(el("li", { class: "state state-empty", text: "No chapters." }));
  const edited = kind === "editor" ? [" ", el("span", { class: "chapters-edited", id: "chapters-edited", text: "edited",
    title: "An editor set these chapters: segmenting again does not replace them" })] : [];
  $("#chapters-title").replaceChildren(shown.length ? `Chapters (${shown.length})` : "Chapters", ...edited);
  // a long video's chapters (hundreds, several tab stops each) fold away: the transcript is what is worked on. Only
  // on the first drawing: an edit or a correction draws them again without folding what the editor has open.
  if (!box.dataset.drawn) { box.open = shown.length <= FOLDED_CHAPTERS; box.dataset.drawn = "1"; }
  const others = [...new Set(chapters.map((c) => c.source))].filter((k) => k !== kind).map((other) => {
    const items = chapters.filter((c) => c.source === other);
    return el("details", { class: "other-chapters" },
      el("summary", { text: `Also kept: ${kindName(other)} (${items.length})` }),
      el("ol", { class: "chapters" }, ...items.map((c) => el("li", {}, chapterButton(page, c)))));
  });
  $("#chapters-other").replaceChildren(...others);
  chapterTools(page, shown, kind, chapters.find((c) => c.source !== kind));
  if (had && !had.isConnected) {
    const same = [...box.querySelectorAll("button")].find((b) => (b.getAttribute("aria-label") || b.textContent) === label);
    (same || $("summary", box)).focus();
  }
}

// the title isolated in its own direction (bdi): an Arabic title beside a Latin name read scrambled
function chapterButton(page, c) {
  return el("button", { type: "button", class: "link chapter-title", onclick: () => player.seek(c.start) },
    `${clock(c.start)} `, el("bdi", { lang: page.lang, text: c.title }));
}

function chapterItem(page, shown, i) {
  const c = shown[i], n = i + 1;
  const item = el("li", {});
  const fill = () => item.replaceChildren(chapterButton(page, c), " ", el("span", { class: "chapter-actions" },
    // the names begin with the words shown (a voice user says "Add to reel", "Rename")
    el("button", { type: "button", class: "secondary small", text: "Add to reel", "aria-label": `Add to reel: chapter ${c.title}`,
      onclick: (e) => addToReel({ video: page.id, chapter: n }, e.target) }),
    page.writable ? el("button", { type: "button", class: "secondary small", text: "Rename",
      "aria-label": `Rename chapter ${n}: ${c.title}`, onclick: () => renameChapter(page, item, c, n, fill) }) : null,
    page.writable && n > 1 ? el("button", { type: "button", class: "danger small", text: "Remove",
      "aria-label": `Remove chapter ${n}: ${c.title}`,
      onclick: () => putChapters(page, shown, shown.filter((_, j) => j !== i),
        `Chapter ${n} removed: its time is part of chapter ${n - 1} now.`, () => n - 1,
        (now) => offerUndo(page, shown, now, n)) }) : null));
  fill();
  return item;
}

// The title becomes a field; Enter or Save renames the chapter (`was`: the title shown, so that a rename made
// meanwhile elsewhere is refused rather than overwritten), Escape or Cancel puts the row back as it was.
function renameChapter(page, item, c, n, fill) {
  const input = el("input", { value: c.title, maxlength: "200", "aria-label": `New title of chapter ${n}`, lang: page.lang,
    dir: "auto" });
  const save = el("button", { type: "submit", class: "small", text: "Save" });
  const cancel = () => {
    fill();
    const rename = item.querySelector("button[aria-label^='Rename']");
    if (rename) rename.focus();  // back where the keyboard came from
  };
  const form = el("form", { class: "chapter-rename" }, el("span", { class: "meta", text: clock(c.start) }), input, save,
    el("button", { type: "button", class: "secondary small", text: "Cancel", onclick: cancel }));
  form.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    e.stopPropagation();
    cancel();
  });
  form.onsubmit = async (e) => {
    e.preventDefault();
    if (save.disabled) return;  // a second press while the first is on its way would be refused as stale
    const title = input.value;
    if (title.split(/\s+/).filter(Boolean).join(" ") === c.title) { fill(); focusChapter(n); return; }  // unchanged
    save.disabled = true;
    chapterNote("", "");
    try {
      const chapters = await api(`/v1/videos/${encodeURIComponent(page.id)}/chapters/${n}`,
        { method: "PATCH", json: { title, was: c.title }, write: true });
      drawChapters(page, chapters);
      chapterNote("ok", `Chapter ${n} renamed.`);
      focusChapter(n);
    } catch (err) {
      chapterNote("error", `Not renamed: ${sentence(err.message)}`);
      if ([400, 404, 409].includes(err.status)) { await reloadChapters(page); focusChapter(n); return; }
      save.disabled = false;  // the server was not reached, or the key was refused: the title typed stays
      if (alive(input)) input.focus();
    }
  };
  item.replaceChildren(form);
  input.focus();
  input.select();  // typing replaces the old title, as a rename usually wants
}

// Above the list: "New chapter here" (where there is a player to ask the time of) and, for an editor's list,
// "Undo chapter edits", a second press within a few seconds confirming it (as a reel's Delete asks twice).
function chapterTools(page, shown, kind, fallback) {
  const tools = $("#chapter-tools");
  tools.replaceChildren();
  tools.hidden = true;
  if (!page.writable) return;
  if (player && player.media)
    tools.append(el("button", { type: "button", class: "secondary small", text: "New chapter here",
      title: "A chapter from the player's moment on, titled from its own words",
      onclick: () => addChapterHere(page, shown) }));
  tools.hidden = !tools.children.length;
  if (kind !== "editor") return;
  const back = fallback ? kindName(fallback.source) : null;
  const undo = el("button", { type: "button", class: "danger small", text: "Undo chapter edits", onclick: async () => {
    if (undo.disabled) return;
    if (!undo.dataset.armed) {
      undo.dataset.armed = "1";
      undo.textContent = "Undo all chapter edits?";
      const ask = `Press “Undo all chapter edits?” again within ${UNDO_ARMED_MS / 1000} seconds to take this list ` +
        `away: ${back ? `the ${back} are shown again` : "the video then has no chapters"}.`;
      chapterNote("note", ask);
      later(() => {  // not pressed again: the button and the note go back to how they were
        if (!alive(undo) || undo.disabled) return;
        delete undo.dataset.armed;
        undo.textContent = "Undo chapter edits";
        if ($("#chapters-note").textContent === ask) chapterNote("", "");
      }, UNDO_ARMED_MS);
      return;
    }
    undo.disabled = true;
    try {
      const chapters = await api(`/v1/videos/${encodeURIComponent(page.id)}/chapters/edits`, { method: "DELETE", write: true });
      drawChapters(page, chapters);
      chapterNote("ok", back ? `Chapter edits undone: the ${back} are shown again.` : "Chapter edits undone.");
      const next = $("#chapter-tools button") || $("#chapters-box summary");
      if (next) next.focus();  // the button has gone with the editor's list
    } catch (err) {
      chapterNote("error", `Not undone: ${sentence(err.message)}`);
      await reloadChapters(page);
    }
  } });
  tools.append(undo);
  tools.hidden = false;
}

function addChapterHere(page, shown) {
  const media = player && player.media;
  if (!media) return;
  const t = Math.round(media.currentTime * 1000) / 1000;
  const list = shown.length ? shown : [{ start: 0, title: "" }];
  const near = list.findIndex((c) => Math.abs(c.start - t) < CHAPTER_NEAR);
  if (near >= 0) {
    chapterNote("error", `Not added: chapter ${near + 1} starts at ${clock(list[near].start)}, within a second of the ` +
      `player's ${clock(t)}. Move the player to where the new chapter begins.`);
    return;
  }
  const next = [...list, { start: t, title: "" }].sort((a, b) => a.start - b.start);
  putChapters(page, shown, next, `Chapter added at ${clock(t)}, titled from its own words.`,
    (chapters) => chapters.findIndex((c) => Math.abs(c.start - t) < 0.01) + 1);
}

// The whole list sent as the editor's (an added chapter with no title: the server titles it from its words). It is
// built from the list this page shows, so the list is read again first: where it changed meanwhile (another window
// or editor), the page shows it as it is now instead of sending an edit of what has gone.
let chapterSending = false;  // one edit of the list at a time: a second press while the first is on its way waits
async function putChapters(page, shown, next, message, focusOn, then = null) {
  if (chapterSending) return;
  chapterSending = true;
  chapterNote("", "");
  const path = `/v1/videos/${encodeURIComponent(page.id)}/chapters`;
  try {
    // `was`: the list this page shows, so that a list another editor changed meanwhile is refused (409), not overwritten
    const chapters = await api(path, { method: "PUT", write: true,
      json: { chapters: next.map((c) => ({ start: c.start, title: c.title, made: madeTitle(c) })),
        was: shown.map((c) => ({ start: c.start, title: c.title })) } });
    drawChapters(page, chapters);
    chapterNote("ok", message);
    focusChapter(focusOn(chapters));
    if (then) then(chapters.filter((c) => c.source === "editor"));
  } catch (err) {
    chapterNote("error", `Not changed: ${sentence(err.message)}`);
    await reloadChapters(page);
  } finally { chapterSending = false; }
}

// A title made from the chapter's words (a computed one, or an editor's the server marked so) stays one when the list
// is sent back, so that a correction of the words makes it again; a title the editor typed stays typed.
function madeTitle(c) {
  return c.source === "computed" || (c.source === "editor" && c.method === MADE_TITLE);
}

// After a chapter is removed, the note offers to put it back: the list as it was, sent with the list now as `was`.
function offerUndo(page, before, now, n) {
  const note = $("#chapters-note");
  if (!alive(note)) return;
  note.append(" ", el("button", { type: "button", class: "secondary small", text: "Undo",
    "aria-label": `Undo: put chapter ${n} back`,
    onclick: () => putChapters(page, now, before, `Chapter ${n} is back.`, () => n) }));
}

async function reloadChapters(page) {
  const ticket = ++chaptersAsked;
  try {
    const chapters = await api(`/v1/videos/${encodeURIComponent(page.id)}/chapters`);
    if (ticket === chaptersAsked) drawChapters(page, chapters);
  } catch (err) { /* the message already says what went wrong */ }
}

// The keyboard to chapter n's title (from 1), the list's tools having been drawn anew under it.
function focusChapter(n) {
  const item = $("#chapters").children[n - 1];
  const title = item && item.querySelector(".chapter-title");
  if (title) title.focus();
}

// Said beside the list: what an edit did, or why it was not done (a screen reader hears it: a polite live region).
function chapterNote(kind, text) {
  const note = $("#chapters-note");
  if (!alive(note)) return;
  if (!text) { note.textContent = ""; return; }
  setState(note, kind, text);
}
