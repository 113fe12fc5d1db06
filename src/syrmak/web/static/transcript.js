// The transcript editor: play the recording line by line and correct, split, merge and
// relabel segments. Keys as transcription programs have them (oTranscribe: Esc plays and
// pauses; Express Scribe: F4; F1/F2 skip back/forward). Edits go to the server through
// htmx (which adds the CSRF header); the server answers with the segment list redrawn.

const BACK = 3; // seconds the "back" key jumps

const player = document.getElementById("player");
const track = document.getElementById("track");
const dialog = document.getElementById("relabel");

function list() { return document.getElementById("segments"); }
function mayEdit() { return list() && list().dataset.mayEdit === "1"; }
function base() { return list().dataset.url; }

function toggle() {
  if (!player) return;
  if (player.paused) player.play().catch(() => {}); else player.pause();
}

function skip(seconds) {
  if (!player) return;
  player.currentTime = Math.max(0, player.currentTime + seconds);
}

function playLine(li) {
  if (!player || li.dataset.start === undefined) return;
  player.currentTime = Number(li.dataset.start) / 1000;
  player.play().catch(() => {});
}

// The caret's offset in a segment's words, in UTF-16 units (the server converts).
function caret(words) {
  const selection = window.getSelection();
  if (!selection.rangeCount || !words.contains(selection.anchorNode)) return null;
  const range = document.createRange();
  range.selectNodeContents(words);
  range.setEnd(selection.anchorNode, selection.anchorOffset);
  return range.toString().length;
}

function post(action, values, source) {
  return htmx.ajax("POST", `${base()}/${action}`, {source, values, target: "#transcript",
                                                    swap: "outerHTML"});
}

function save(words) {
  const li = words.closest("li.seg");
  const now = words.textContent;
  // Once: the focus leaves the words again when the answer redraws the list.
  if (!li || !words.isConnected || words.dataset.saving) return true;
  if (now === words.dataset.old) return false;
  // The server asked to confirm deleting codings for exactly these words, and its button
  // saves them: leaving the line to click it must not send them again beside it (the two
  // answers would race to redraw the list).
  if (now === words.dataset.asked) return true;
  words.dataset.saving = "1";
  post("correct", {position: li.dataset.pos, old: words.dataset.old, new: now}, li)
    .then(() => {
      if (document.querySelector("#flash [data-testid=lost-report]")) words.dataset.asked = now;
    })
    .finally(() => { delete words.dataset.saving; });
  return true;
}

function split(li) {
  const words = li.querySelector(".words");
  if (words.textContent !== words.dataset.old) {
    save(words); // a correction first; split again once it is saved
    return;
  }
  let at = caret(words);
  if (at === null) at = Math.floor(words.textContent.length / 2);
  const values = {position: li.dataset.pos, at};
  if (player && li.dataset.start !== undefined) {
    const ms = Math.round(player.currentTime * 1000);
    if (ms > Number(li.dataset.start) && ms < Number(li.dataset.end)) values.at_ms = ms;
  }
  post("split", values, li);
}

// Whether the words clicked were already being edited (focus moves before "click").
let wasEditing = false;
document.addEventListener("pointerdown", (event) => {
  const words = event.target.closest && event.target.closest("#segments .words");
  wasEditing = Boolean(words) && document.activeElement === words;
});

document.addEventListener("click", (event) => {
  const li = event.target.closest && event.target.closest("#segments li.seg");
  if (!li) return;
  if (event.target.closest("button.split")) { split(li); return; }
  if (event.target.closest("button.merge")) {
    post("merge", {position: li.dataset.pos}, li);
    return;
  }
  const speaker = event.target.closest("button.spk");
  if (speaker && dialog) {
    const form = dialog.querySelector("form");
    form.elements.position.value = li.dataset.pos;
    form.elements.old.value = speaker.dataset.speaker;
    form.elements.new.value = speaker.dataset.speaker;
    dialog.showModal();
    form.elements.new.select();
    return;
  }
  // A click on a line plays it; a click inside words being edited only moves the caret.
  if (event.target.closest(".words") && wasEditing) return;
  playLine(li);
});

document.addEventListener("focusin", (event) => {
  const words = event.target.closest && event.target.closest("#segments .words");
  if (words) words.closest("li.seg").classList.add("editing");
});

document.addEventListener("focusout", (event) => {
  const words = event.target.closest && event.target.closest("#segments .words");
  if (!words || !mayEdit()) return;
  words.closest("li.seg").classList.remove("editing");
  // Leaving a corrected line saves it, unless the click was on its split button.
  const next = event.relatedTarget;
  if (next && next.closest && next.closest("button.split") &&
      next.closest("li.seg") === words.closest("li.seg")) return;
  save(words);
});

document.addEventListener("keydown", (event) => {
  const words = event.target.closest && event.target.closest("#segments .words");
  if (event.key === "Escape" && dialog && dialog.open) return; // the dialog closes itself
  if (event.key === "Escape" || event.key === "F4") {
    event.preventDefault();
    toggle();
  } else if (event.key === "F1" || (event.ctrlKey && event.code === "Comma")) {
    event.preventDefault();
    skip(-BACK);
  } else if (event.key === "F2" || (event.ctrlKey && event.code === "Period")) {
    event.preventDefault();
    skip(BACK);
  } else if (words && event.key === "Enter") {
    event.preventDefault();
    if (event.ctrlKey) split(words.closest("li.seg"));
    else if (!save(words)) words.blur();
  }
});

// The line being played is marked, and kept in view while nobody is editing.
if (player) {
  player.addEventListener("timeupdate", () => {
    const ms = player.currentTime * 1000;
    let current = null;
    for (const li of document.querySelectorAll("#segments li.seg[data-start]")) {
      if (Number(li.dataset.start) <= ms && ms < Number(li.dataset.end)) current = li;
    }
    for (const li of document.querySelectorAll("#segments li.now")) {
      if (li !== current) li.classList.remove("now");
    }
    if (current && !current.classList.contains("now")) {
      current.classList.add("now");
      if (!document.querySelector("#segments li.editing")) {
        current.scrollIntoView({block: "nearest"});
      }
    }
  });
}

if (track && player) {
  track.addEventListener("change", () => {
    const at = player.currentTime;
    player.src = track.value;
    player.currentTime = at;
  });
}

if (dialog) {
  dialog.querySelector("button.close").addEventListener("click", () => dialog.close());
  dialog.querySelector("form").addEventListener("htmx:afterRequest", () => dialog.close());
}
