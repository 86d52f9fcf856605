// clipindex web page, shared helpers: plain JavaScript, no CDN, no innerHTML with data (text goes through
// textContent), one fetch wrapper that turns the API's {"error": ...} into a sentence for people.
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
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

// Words joined as their script writes them (the server's media/readable.py join_words): no space between two
// characters of a script written without spaces (Chinese, Japanese, Thai ...; punctuation passed over, so "说：" and
// "“我" meet), nor before a piece that goes on the word before it (",000", ".2", "-known", "'s").
const NO_SPACE = /[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]/u;
const ATTACHED = /^(?:[,.;:!?%)\]}»”…]+(?![\p{L}\p{N}_])|[.,\-‐][\p{L}\p{N}_]|['’][\p{L}\p{N}_]{1,3}(?![\p{L}\p{N}_]))/u;
const LETTER = /[\p{L}\p{N}]/u;
function edgeLetter(text, last) {
  const chars = Array.from(text);
  if (last) chars.reverse();
  return chars.find((c) => LETTER.test(c)) || "";
}
function spaced(before, word) {
  if (ATTACHED.test(word)) return false;
  return !(NO_SPACE.test(edgeLetter(before, true)) && NO_SPACE.test(edgeLetter(word, false)));
}
function joinWords(texts) {
  let out = "";
  for (const t of texts.map((x) => String(x).trim()).filter(Boolean)) out += (out && spaced(out, t) ? " " : "") + t;
  return out;
}
// Right-to-left languages: their lines run from the right (lang alone does not set the direction)
const RTL = new Set(["ar", "he", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "ku"]);
function textDir(language) { return RTL.has(String(language || "").split("-")[0].toLowerCase()) ? "rtl" : "auto"; }

function clock(s) {
  s = Math.max(0, Math.floor(s || 0));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

function duration(s) {
  if (!s) return null;
  s = Math.round(s);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60 ? `${s % 60} s` : ""}`.trim() : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function niceDate(iso) {
  if (!iso) return null;
  const d = new Date(`${iso}T12:00:00Z`);
  return isNaN(d) ? iso : d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

// How a transcript was made, in words an editor uses ("faster-whisper:tiny.en" means nothing to most people).
function madeBy(source) {
  if (!source) return null;
  const [engine, model] = String(source).split(":");
  if (engine === "faster-whisper" || engine === "openai-whisper") return `Speech recognition (${model || "Whisper"})`;
  if (/caption|sub|vtt|srt|sidecar|file|manual|auto/i.test(engine)) return "From captions";
  return "Transcript";
}

// The API escapes snippet text as HTML and marks matches with <mark>; the page shows text, never parses HTML, so the
// five entities html.escape writes are decoded here and the marks become <mark> elements.
const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#x27;": "'", "&#39;": "'" };
function unescapeHtml(text) {
  return String(text).replace(/&(amp|lt|gt|quot|#x27|#39);/g, (m) => ENTITIES[m]);
}

function marked(snippet) {
  const out = document.createDocumentFragment();
  let inMark = false;
  for (const part of String(snippet || "").split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") inMark = true;
    else if (part === "</mark>") inMark = false;
    else if (part) {
      const text = unescapeHtml(part);
      out.append(inMark ? el("mark", { text }) : document.createTextNode(text));
    }
  }
  return out;
}

// The server's messages are written for the command line too; a few of its hints mean nothing on this page.
const PAGE_WORDS = [
  [/\s*\(?(?:see|run|add some with) `clipindex [^`]*`\)?/g, ""],
  [/--captions only forbids Whisper/g, "“Captions only” was chosen (choose another Transcript option)"],
  [/ingest it with --accept-partial/g, "add it from the command line with --accept-partial"],
  [/pass --video to link it by hand/g, "link it from the video's own page"],
  [/after \((\S+?)\) is later than before \((\S+?)\)(?:: no date is both)?/g,
    "the From date $1 is later than the Until date $2"],
  [/an API key is required: send 'Authorization: Bearer <key>'/g, "this archive asks an API key even to read it"],
];
function pageWords(message) {
  return PAGE_WORDS.reduce((text, [pattern, words]) => text.replace(pattern, words), String(message));
}
// A message ended as a sentence: one that ends in "?" (is the server still running?) takes no full stop after it.
function sentence(message) { return /[.?!…]$/.test(String(message)) ? String(message) : `${message}.`; }

function apiKey() { return localStorage.getItem("clipindex-key") || ""; }

class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.write && !apiKey()) throw new ApiError("enter your API key first (the “API key” button at the top)", 401);
  if (apiKey()) headers.Authorization = `Bearer ${apiKey()}`;
  if (options.json !== undefined) headers["Content-Type"] = "application/json";
  const init = { method: options.method || (options.json !== undefined || options.body ? "POST" : "GET"), headers };
  if (options.json !== undefined) init.body = JSON.stringify(options.json);
  else if (options.body) init.body = options.body;
  let response;
  try { response = await fetch(path, init); } catch (err) {
    throw new ApiError("the server cannot be reached; is clipindex serve still running?", 0);
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    let msg = pageWords((body && body.error) || `the server answered ${response.status}`);
    if (response.status === 401) msg = `${sentence(msg)} Check the API key (the “API key” button at the top).`;
    throw new ApiError(msg, response.status);
  }
  return options.withHeaders ? { body, headers: response.headers } : body;
}

// The paths of the server's API description, read once a page load and shared: which edits this server takes (an
// older server lacks some). A description that cannot be read counts as none.
let apiPaths = null;
function serverPaths() {
  if (apiPaths === null) apiPaths = api("/openapi.json").then((spec) => spec.paths || {}, () => ({}));
  return apiPaths;
}

// A status line in one of four looks: loading, empty, error, ok (colour and words, not colour alone).
function setState(node, kind, text) {
  if (!node) return;
  node.className = `state state-${kind}`;
  node.textContent = text;
}

let toastTimer = null;
function toast(text, kind = "ok") {
  const box = $("#toast");
  box.className = `toast toast-${kind}`;
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 5000);
}

// Timers that belong to one view: cleared when the view changes, so nothing writes into a page that has gone.
const viewTimers = new Set();
function later(fn, ms) {
  const id = setTimeout(() => { viewTimers.delete(id); fn(); }, ms);
  viewTimers.add(id);
}

function show(templateId) {
  for (const id of viewTimers) clearTimeout(id);
  viewTimers.clear();
  view.replaceChildren($(templateId).content.cloneNode(true));
  view.focus({ preventScroll: true });
  return view.firstElementChild;
}

// True while `node` is still on the page: async work checks this before writing into a view.
function alive(node) { return node && node.isConnected; }

let videoCache = null;
async function videos(fresh = false) {
  if (!videoCache || fresh) videoCache = await api("/v1/videos");
  return videoCache;
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (err) {
    return false;
  }
}

function exportLinks(base, formats) {
  const box = el("span", { class: "exports" });
  for (const [fmt, label] of formats)
    box.append(el("a", { class: "btn secondary", href: `${base}${base.includes("?") ? "&" : "?"}format=${fmt}`,
      download: "", text: label }));
  return box;
}
