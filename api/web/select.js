// The transcript by keyboard. Its words are one tab stop (a roving tabindex, so Tab does not walk through hundreds of
// words): arrows move between words, Home/End to the line's first or last word, Enter plays from the word.
// Shift+arrows extend or shrink a selection word by word (Shift+Home/End to the line's edge), Tab then reaches the
// selection's buttons, Escape clears it. The selection made is the browser's own, so the mouse and the keyboard feed
// one path (selectedRange in video.js) and the same bar.
// The mouse: Chromium starts no text selection when a drag begins on a focusable element, and every word is one (the
// roving tabindex), so the word pressed gives up its tabindex until the button is released. While it is down, the
// selection's bar waits (showing or hiding it would move the words under the pointer, mid-drag or mid-click) and the
// transcript does not scroll to follow the player.
"use strict";

let pressedWord = null;  // the word whose tabindex is lifted while a mouse button is down on it
let pressing = false;    // a mouse button is down in the transcript

function transcriptPressed() { return pressing; }

// Select words a..b (either order) as the browser's selection, as a drag across them would.
function selectWords(words, a, b) {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const first = words[lo].span.firstChild, last = words[hi].span.firstChild;
  const range = document.createRange();
  range.setStart(first, 0);
  range.setEnd(last, last.length);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

function clearSelection() {
  const sel = window.getSelection();
  if (sel) sel.removeAllRanges();
}

// The words of the line (segment) that word i is on, as [first, last] indices.
function lineOf(words, i) {
  const line = words[i].span.parentElement;
  let a = i, b = i;
  while (a > 0 && words[a - 1].span.parentElement === line) a--;
  while (b < words.length - 1 && words[b + 1].span.parentElement === line) b++;
  return [a, b];
}

// `settled` is called when a mouse button is released in the transcript: the selection is final then. `first`: the
// word that is the tab stop at first (the one at the moment the link named).
function keyboardSelection(words, box, settled, first = 0) {
  let anchor = null, head = null;  // where the keyboard selection began and where it ends now (word indices)
  let focused = Math.max(0, Math.min(words.length - 1, first));
  const focusWord = (i, options) => {
    if (!words.length) return;
    i = Math.max(0, Math.min(words.length - 1, i));
    words[focused].span.tabIndex = -1;
    words[i].span.tabIndex = 0;
    focused = i;
    words[i].span.focus(options);
  };
  words.forEach((w, i) => { w.span.tabIndex = i === focused ? 0 : -1; });
  // the player moves the tab stop along with the word being played, while the keyboard is elsewhere
  box.moveStop = (i) => {
    if (!words[i] || i === focused) return;
    if (words[focused]) words[focused].span.tabIndex = -1;
    if (pressedWord !== words[i].span) words[i].span.tabIndex = 0;
    focused = i;
  };
  box.onfocusin = (e) => {  // a script (or a screen reader) focusing a word makes it the transcript's tab stop
    const span = e.target.closest && e.target.closest(".word");
    if (!span || Number(span.dataset.i) === focused) return;
    if (words[focused]) words[focused].span.tabIndex = -1;
    focused = Number(span.dataset.i);
    span.tabIndex = 0;
  };
  const release = () => {  // the pressed word is focusable again, and the selection's bar catches up
    window.removeEventListener("mouseup", release, true);
    window.removeEventListener("blur", release);
    if (pressedWord) pressedWord.tabIndex = Number(pressedWord.dataset.i) === focused ? 0 : -1;
    pressedWord = null;
    if (!pressing) return;
    pressing = false;
    if (settled) settled();
  };
  box.onmousedown = (e) => {
    barVisited = false;  // a selection made anew with the mouse
    release();  // a press whose release was never seen (outside the window, say) ends here
    if (e.button !== 0) return;
    pressing = true;
    const span = e.target.closest && e.target.closest(".word");
    if (span) { pressedWord = span; span.removeAttribute("tabindex"); }
    window.addEventListener("mouseup", release, true);
    window.addEventListener("blur", release);
  };
  box.onclick = (e) => {  // a plain click (no text selected) makes the word the tab stop, as a keyboard user's would be
    const span = e.target.closest && e.target.closest(".word");
    if (span && !selectedRange()) focusWord(Number(span.dataset.i), { preventScroll: true });
  };
  // Tab from a selected word leads to the selection's bar once; after the bar, Tab goes on past the transcript (the
  // bar's last button led back into the words, whose Tab sent it to the bar again: the corrections and the article
  // could not be reached)
  let barVisited = false;
  $("#selection-bar").addEventListener("focusin", () => { barVisited = true; });
  const extend = (i, target) => {
    barVisited = false;
    const now = selectedRange();
    // no keyboard selection yet, or the mouse made or changed it: a new one starts at the focused word
    if (anchor === null || !now || now[0] !== Math.min(anchor, head) || now[1] !== Math.max(anchor, head))
      anchor = head = i;
    head = Math.max(0, Math.min(words.length - 1, target(head)));
    focusWord(head);
    selectWords(words, anchor, head);
  };
  box.onkeydown = (e) => {
    if (!["Shift", "Control", "Alt", "Meta"].includes(e.key)) release();  // typing: no drag goes on (Shift may)
    const span = e.target.closest && e.target.closest(".word");
    if (!span || e.altKey || e.ctrlKey || e.metaKey) return;
    const i = Number(span.dataset.i);
    // in a right-to-left line the next word is on the left
    const ahead = getComputedStyle(span.parentElement || span).direction === "rtl" ? -1 : 1;
    const targets = { ArrowRight: (h) => h + ahead, ArrowLeft: (h) => h - ahead,
      Home: (h) => lineOf(words, h)[0], End: (h) => lineOf(words, h)[1] };
    if (e.key in targets) {
      e.preventDefault();
      if (e.shiftKey) extend(i, targets[e.key]);  // the first Shift+arrow takes the focused word and its neighbour
      else {
        anchor = head = null;
        clearSelection();
        focusWord(targets[e.key](i));
      }
    } else if (e.key === "Escape" && selectedRange()) {
      e.preventDefault();
      anchor = head = null;
      clearSelection();
    } else if (e.key === "Tab" && !e.shiftKey && selectedRange() && !$("#selection-bar").hidden && !barVisited) {
      e.preventDefault();  // from the selection to what can be done with it
      $("#sel-copy").focus();
    }
  };
  const bar = $("#selection-bar");
  bar.onkeydown = (e) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    anchor = head = null;
    clearSelection();
    focusWord(focused);
  };
}
