// The text pane: turns a selection (mouse or Shift+arrows) into offsets and codes it.
//
// Offsets sent to the server are UTF-16 code units of the text as the DOM holds it, which
// is what a DOM Range counts; the server converts them to the store's code points
// (syrmak/web/offsets.py). Every piece of text is a <span data-o="N"> whose N is the
// browser offset of its first character, so an offset is data-o plus the offset inside
// the span's one text node, and no walk over the whole document is needed.

const text = document.getElementById("text");
const picker = document.getElementById("picker");
const filter = document.getElementById("picker-filter");
const mayCode = text && text.dataset.mayCode === "1";
let current = null; // {start, end} of the selection the picker is for

function spans() {
  return Array.from(text.querySelectorAll("[data-o]"));
}

function spanEnd(span) {
  return Number(span.dataset.o) + span.textContent.length;
}

// The browser offset of a boundary point (node, offset) of a Range.
function pointOffset(node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const span = node.parentElement && node.parentElement.closest("[data-o]");
    if (span && text.contains(span)) return Number(span.dataset.o) + offset;
  }
  // An element boundary (or text outside the pieces, as in a margin): the first piece
  // that starts at or after the point, else the end of the last piece.
  const probe = document.createRange();
  probe.setStart(node, offset);
  const all = spans();
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (probe.comparePoint(all[mid], 0) >= 0) hi = mid; else lo = mid + 1;
  }
  if (lo < all.length) return Number(all[lo].dataset.o);
  return all.length ? spanEnd(all[all.length - 1]) : 0;
}

function selection() {
  const sel = window.getSelection();
  if (!sel.rangeCount) return null;
  const range = sel.getRangeAt(0);
  if (!text.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== text) {
    return null;
  }
  const start = pointOffset(range.startContainer, range.startOffset);
  const end = pointOffset(range.endContainer, range.endOffset);
  return end > start ? {start, end, range} : null;
}

// -- the code picker -------------------------------------------------------------------

function recentIds() {
  return (text.dataset.recent || "").split(" ").filter(Boolean);
}

// While the picker has the focus the selection greys out; a named highlight (CSS Custom
// Highlight API, styled in app.css) keeps the passage being coded visible.
function markPending(range) {
  if (window.CSS && CSS.highlights && window.Highlight) {
    if (range) CSS.highlights.set("pending", new Highlight(range.cloneRange()));
    else CSS.highlights.delete("pending");
  }
}

function showPicker(sel) {
  if (!picker || !mayCode) return;
  current = {start: sel.start, end: sel.end};
  markPending(sel.range);
  const box = sel.range.getBoundingClientRect();
  picker.hidden = false;
  // Placed by script (CSSOM), which a strict style-src allows; no inline style attribute.
  const top = window.scrollY + box.bottom + 8;
  const left = Math.min(window.scrollX + box.left, window.scrollX + window.innerWidth - picker.offsetWidth - 16);
  picker.style.top = `${top}px`;
  picker.style.left = `${Math.max(8, left)}px`;
  const recent = document.getElementById("picker-recent");
  recent.replaceChildren();
  for (const id of recentIds()) {
    const source = picker.querySelector(`.pick[data-code="${id}"]`);
    if (!source) continue;
    const button = source.cloneNode(true);
    button.classList.add("recent-code");
    button.className = button.className.replace(/depth-\d/, "");
    recent.append(button);
  }
  filter.value = "";
  applyFilter();
  filter.focus({preventScroll: true});
}

function hidePicker(refocus = true) {
  if (!picker) return;
  picker.hidden = true;
  current = null;
  markPending(null);
  if (refocus) text.focus({preventScroll: true});
}

function visibleCodes() {
  return Array.from(picker.querySelectorAll("#picker-codes .pick")).filter((b) => !b.parentElement.hidden);
}

function applyFilter() {
  const needle = filter.value.trim().toLowerCase();
  for (const button of picker.querySelectorAll("#picker-codes .pick")) {
    button.parentElement.hidden = needle !== "" && !button.dataset.path.toLowerCase().includes(needle);
  }
  const newButton = document.getElementById("picker-new");
  newButton.textContent = needle ? `${newButton.dataset.label}: “${filter.value.trim()}”` : newButton.dataset.label;
}

function send(url, values) {
  values.coders = text.dataset.coders || "";
  // htmx carries the CSRF header (hx-headers on <body>) and applies the returned
  // out-of-band fragments: the redrawn paragraphs and the list of codings.
  return htmx.ajax("POST", url, {source: text, values, swap: "none"});
}

function code(values) {
  if (!current) return;
  const {start, end} = current;
  hidePicker();
  send(text.dataset.codeUrl, {start, end, ...values}).then(() => {
    if (values.code) rememberRecent(values.code);
    placeCaret(end);
  });
}

function rememberRecent(id) {
  const ids = [String(id), ...recentIds().filter((x) => x !== String(id))].slice(0, 6);
  text.dataset.recent = ids.join(" ");
}

if (picker) {
  filter.addEventListener("input", applyFilter);
  filter.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); hidePicker(); }
    if (event.key === "Enter") {
      event.preventDefault();
      const first = visibleCodes()[0];
      if (event.ctrlKey || !first) {
        if (filter.value.trim()) code({new_code: filter.value.trim()});
      } else {
        code({code: first.dataset.code});
      }
    }
    if (event.key === "ArrowDown") { event.preventDefault(); (visibleCodes()[0] || filter).focus(); }
  });
  picker.addEventListener("click", (event) => {
    const pick = event.target.closest(".pick");
    if (pick) code({code: pick.dataset.code});
  });
  picker.addEventListener("keydown", (event) => {
    const pick = event.target.closest(".pick");
    if (event.key === "Escape") { event.preventDefault(); hidePicker(); }
    if (!pick) return;
    const list = [...picker.querySelectorAll(".recent .pick"), ...visibleCodes()];
    const i = list.indexOf(pick);
    if (event.key === "ArrowDown" && i < list.length - 1) { event.preventDefault(); list[i + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (i > 0 ? list[i - 1] : filter).focus(); }
  });
  document.getElementById("picker-new").addEventListener("click", () => {
    if (filter.value.trim()) code({new_code: filter.value.trim()}); else filter.focus();
  });
  document.getElementById("picker-vivo").addEventListener("click", () => code({in_vivo: "1"}));
  document.getElementById("picker-close").addEventListener("click", () => hidePicker());
}

// -- selecting with the mouse ----------------------------------------------------------

text.addEventListener("mouseup", () => {
  // After the browser has settled the selection.
  setTimeout(() => {
    const sel = selection();
    if (sel) showPicker(sel);
  }, 0);
});

document.addEventListener("mousedown", (event) => {
  if (picker && !picker.hidden && !picker.contains(event.target)) hidePicker(false);
});

// -- the keyboard: a caret that Shift+arrows extend --------------------------------------

function placeCaret(offset) {
  const all = spans();
  const span = all.find((s) => spanEnd(s) >= offset && Number(s.dataset.o) <= offset) || all[0];
  if (!span || !span.firstChild) return;
  const sel = window.getSelection();
  sel.collapse(span.firstChild, Math.min(offset - Number(span.dataset.o), span.firstChild.length));
}

function ensureCaret() {
  const sel = window.getSelection();
  if (!sel.rangeCount || !text.contains(sel.anchorNode)) placeCaret(0);
}

const MOVES = {ArrowRight: ["forward", "character"], ArrowLeft: ["backward", "character"],
  ArrowDown: ["forward", "line"], ArrowUp: ["backward", "line"],
  Home: ["backward", "lineboundary"], End: ["forward", "lineboundary"]};

text.addEventListener("keydown", (event) => {
  const move = MOVES[event.key];
  if (move && !event.altKey) {
    event.preventDefault();
    ensureCaret();
    const granularity = event.ctrlKey && move[1] === "character" ? "word" : move[1];
    window.getSelection().modify(event.shiftKey ? "extend" : "move", move[0], granularity);
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key.toLowerCase();
  if (key === "j" || key === "k") { event.preventDefault(); jump(key === "j" ? 1 : -1); return; }
  if (!mayCode) return;
  const sel = selection();
  if (event.key === "Enter" || key === "c") {
    if (sel) { event.preventDefault(); showPicker(sel); }
  } else if (key === "q" && sel) {
    event.preventDefault();
    const last = recentIds()[0];
    current = {start: sel.start, end: sel.end};
    if (last) code({code: last}); else showPicker(sel);
  } else if (key === "v" && sel) {
    event.preventDefault();
    current = {start: sel.start, end: sel.end};
    code({in_vivo: "1"});
  } else if (key === "n" && sel) {
    event.preventDefault();
    showPicker(sel);
  }
});

// -- codings: jump, focus, resize ---------------------------------------------------------

let focusIndex = -1;

function markStarts() {
  // Each coding's first piece, in text order.
  const seen = new Map();
  for (const span of text.querySelectorAll(".hl")) {
    for (const id of span.dataset.c.split(" ")) if (!seen.has(id)) seen.set(id, span);
  }
  return [...seen.entries()].sort((a, b) => Number(a[1].dataset.o) - Number(b[1].dataset.o));
}

function focusMark(id) {
  for (const el of document.querySelectorAll(".focus")) el.classList.remove("focus");
  let first = null;
  for (const span of text.querySelectorAll(".hl")) {
    if (span.dataset.c.split(" ").includes(String(id))) {
      span.classList.add("focus");
      first = first || span;
    }
  }
  const item = document.getElementById(`mark-${id}`);
  if (item) { item.classList.add("focus"); item.scrollIntoView({block: "nearest"}); }
  if (first) {
    first.scrollIntoView({block: "center"});
    placeCaret(Number(first.dataset.o));
  }
}

function jump(step) {
  const starts = markStarts();
  if (!starts.length) return;
  focusIndex = (focusIndex + step + starts.length) % starts.length;
  focusMark(starts[focusIndex][0]);
  text.focus({preventScroll: true});
}

text.addEventListener("click", (event) => {
  const span = event.target.closest(".hl");
  if (!span || !window.getSelection().isCollapsed) return;
  const ids = span.dataset.c.split(" ");
  if (text.dataset.marksUrl) {
    // A long document lists no codings up front: fetch those under the click.
    const url = `${text.dataset.marksUrl}?ids=${encodeURIComponent(ids.join(" "))}`;
    htmx.ajax("GET", url, {target: "#codings", swap: "outerHTML"}).then(() => focusMark(ids[ids.length - 1]));
  } else {
    focusMark(ids[ids.length - 1]);
  }
});

document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof Element)) return;
  const goto = target.closest("[data-goto]");
  if (goto) { event.preventDefault(); focusMark(goto.dataset.goto); return; }
  const jumper = target.closest("[data-jump]");
  if (jumper) { jump(jumper.dataset.jump === "next" ? 1 : -1); return; }
  const resize = target.closest("[data-resize]");
  if (resize) {
    const sel = lastSelection;
    if (!sel) { flash(resize.title); return; }
    send(`/codings/${resize.dataset.resize}/resize`, {start: sel.start, end: sel.end, document: text.dataset.document});
  }
});

// The selection a "resize" button uses: clicking the button collapses the live one.
let lastSelection = null;
document.addEventListener("selectionchange", () => {
  const sel = selection();
  if (sel) lastSelection = {start: sel.start, end: sel.end};
});

function flash(message) {
  const box = document.getElementById("flash");
  const div = document.createElement("div");
  div.className = "message error";
  div.textContent = message;
  box.replaceChildren(div);
}

// A link from a segment or a search hit names the paragraph to show.
if (text.dataset.focus) {
  const turn = document.getElementById(text.dataset.focus);
  if (turn) { turn.classList.add("focus"); turn.scrollIntoView({block: "center"}); }
}
