// On a video's page: its article (paragraphs with their moments and quote checks, or a form to link one) and
// corrections of misheard words, stored with who made them and reversible.
"use strict";

// Quote checks: only "differs" is an alarm; "probably verbatim" is good news with a caveat; "not found" is neutral.
const QUOTE_LOOK = {
  "verbatim": ["ok", "Said word for word"],
  "probably verbatim": ["likely", "Very likely said word for word"],
  "differs": ["alarm", "Said differently"],
  "not found": ["neutral", "Not found in the video"],
};

function quoteLine(q) {
  const [kind, words] = QUOTE_LOOK[q.status] || ["neutral", q.status];
  const basis = q.basis === "captions" ? " (checked against captions, not the audio)" : q.basis === "audio" ? " (checked against the audio)" : "";
  const line = el("p", { class: `quote quote-${kind}`, "data-status": q.status },
    el("span", { class: "quote-status", text: `${words}${basis}` }), " ", el("q", { text: q.text, dir: "auto" }));
  if (q.detail) line.append(el("span", { class: "quote-detail", text: ` ${q.detail}` }));
  if (q.start !== null && q.start !== undefined)
    line.append(" ", el("button", { type: "button", class: "link", text: `play ${clock(q.start)}`, onclick: () => player.seek(q.start) }));
  return line;
}

async function loadArticle(id, root) {
  const box = $("#article-box");
  let links;
  try {
    // asked of the list first, so a video with no article is not an error (and no 404 in the console)
    const all = await api("/v1/articles");
    if (!alive(root)) return;
    if (!all.some((a) => (a.videos || []).includes(id))) { articleForm(id, box, root); return; }
    links = await api(`/v1/videos/${encodeURIComponent(id)}/article`);
  } catch (err) {
    if (alive(root)) box.replaceChildren(el("p", { class: "state state-error", text: `The article did not load: ${err.message}` }));
    return;
  }
  if (!alive(root)) return;
  $("#article-title").textContent = links.title || "Article";
  const list = el("ol", { class: "article" });
  for (const p of links.paragraphs || []) {
    const li = el("li", {}, el("p", { text: p.text, dir: "auto" }));  // an Arabic article's paragraphs run from the right
    if (p.start !== null && p.start !== undefined)
      li.append(el("button", { type: "button", class: "secondary small", text: `Play from ${clock(p.start)}`, onclick: () => player.seek(p.start, p.end) }));
    else li.append(el("p", { class: "hint", text: "Not covered by the video." }));
    for (const q of p.quotes || []) li.append(quoteLine(q));
    list.append(li);
  }
  const tools = el("p", { class: "actions" });
  if (links.url) tools.append(el("a", { class: "btn secondary", href: links.url, rel: "noopener", target: "_blank", text: "Open the article" }));
  tools.append(exportLinks(`/v1/articles/${encodeURIComponent(links.id)}/export`, [["html", "HTML for the CMS"], ["jsonld", "JSON-LD"]]));
  box.replaceChildren(tools, ...(links.notes || []).map((n) => el("p", { class: "note", text: n })), list);
}

function articleForm(id, box, root) {
  const form = el("form", { class: "row" },
    el("label", { class: "visually-hidden", for: "article-url", text: "Article URL" }),
    el("input", { id: "article-url", type: "url", required: true, placeholder: "https://… the article about this video" }),
    el("button", { type: "submit", text: "Link the article" }));
  const status = el("p", { class: "state state-empty", text: "No article is linked to this video." });
  form.onsubmit = async (e) => {
    e.preventDefault();
    setState(status, "loading", "Reading the article and finding its moments…");
    try {
      await api("/v1/articles", { json: { url: $("#article-url").value.trim(), videos: [id] }, write: true });
      if (alive(root)) loadArticle(id, root);
    } catch (err) { if (alive(status)) setState(status, "error", `Not linked: ${err.message}`); }
  };
  box.replaceChildren(status, form);
}

// whether this server takes corrections (older servers do not)
async function takesCorrections() {
  return Boolean((await serverPaths())["/v1/videos/{video_id}/corrections"]);
}

async function setupCorrections(video, words, selection) {
  if (!(await takesCorrections()) || !alive($("#sel-fix"))) return;
  const form = $("#fix-form"), fix = $("#sel-fix");
  fix.hidden = false;
  let span = null;
  fix.onclick = () => {
    span = selection();
    if (!span) return;
    form.hidden = false;
    $("#fix-text").value = span.text;
    $("#fix-text").focus();
    $("#fix-text").select();
  };
  // closing the form (Cancel, or Escape in it) gives the keyboard back to the transcript's word it came from (the
  // selection's bar may go with the selection that typing in the form took away)
  const close = () => {
    form.hidden = true;
    const back = $("#transcript .word[tabindex='0']");
    if (back) back.focus();
  };
  $("#fix-cancel").onclick = close;
  form.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    e.stopPropagation();  // the selection stays: Escape there would clear it too
    close();
  });
  const save = form.querySelector("button[type=submit]");
  form.onsubmit = async (e) => {
    e.preventDefault();
    if (!span || save.disabled) return;  // a second press while the first is on its way would be refused as stale
    const text = $("#fix-text").value.trim();
    if (!text) {  // spaces alone would reach the server as nothing, which takes the words out: not from this page
      toast("Not corrected: type what was said. A correction cannot be empty (this page does not delete words).", "error");
      $("#fix-text").focus();
      return;
    }
    // the words whose middle lies inside [start, end] are replaced: give the selected words' own edges
    save.disabled = true;
    try {
      await api(`/v1/videos/${encodeURIComponent(video.id)}/corrections`,
        { json: { start: span.start, end: span.end, text, was: span.text }, write: true });
      form.hidden = true;
      toast("Corrected. Search now finds the corrected words.");
      await reloadTranscript(video, span.start);  // the keyboard goes to the corrected words
    } catch (err) {
      toast(`Not corrected: ${err.message}`, "error");
      // 409: changed meanwhile; 503: stored, but the search index is behind: either way shown as it reads now
      if ([409, 503].includes(err.status)) { form.hidden = true; await reloadTranscript(video, span.start); }
    } finally {
      save.disabled = false;
      if (!form.hidden && document.activeElement === document.body) $("#fix-text").focus();  // disabling took it
    }
  };
  listCorrections(video);
}

// The transcript drawn again after a correction or its undo; `at` (seconds): the word there takes the focus, which
// would otherwise fall to the page's top with the form or the Undo button that had it.
async function reloadTranscript(video, at = null) {
  let tr;
  try { tr = await api(`/v1/videos/${encodeURIComponent(video.id)}/transcript`); } catch (err) { toast(err.message, "error"); return; }
  if (!alive($("#transcript"))) return;
  renderTranscript(video, tr);
  loadChapters(video.id, $("#transcript"), video.language);  // a corrected name is corrected in the chapter titles too
  if (at === null) return;
  const spans = [...document.querySelectorAll("#transcript .word")];
  const word = spans.find((w) => parseFloat(w.dataset.start) >= at - 0.05) || spans[spans.length - 1];
  if (word) word.focus();
}

async function listCorrections(video) {
  let items;
  try { items = await api(`/v1/videos/${encodeURIComponent(video.id)}/corrections`); } catch (err) { return; }
  const live = items.filter((c) => !c.reverted_at);
  const box = $("#corrections");
  if (!alive(box)) return;
  box.hidden = !live.length;
  // each wording isolated in its own direction: two Arabic ones with the arrow between them read "new ← old"
  box.replaceChildren(el("h3", { text: "Corrections" }), ...live.map((c) => el("p", {},
    `${clock(c.start)}: “`, el("bdi", { text: joinWords(c.before.map((w) => w.text)) }), "” → “",
    el("bdi", { text: c.text }), "” ",
    el("button", { type: "button", class: "secondary small", text: "Undo", "aria-label": `Undo the correction at ${clock(c.start)}`,
      onclick: async () => {
        try {
          await api(`/v1/videos/${encodeURIComponent(video.id)}/corrections/${encodeURIComponent(c.id)}`, { method: "DELETE", write: true });
          toast("Correction undone.");
          await reloadTranscript(video, c.start);
        } catch (err) {
          toast(err.message, "error");
          if ([404, 503].includes(err.status)) await reloadTranscript(video, c.start);  // undone already, or stored unindexed
        }
      } }))));
}
