// Small page helpers shared by every page: messages fade, the code tree's drag and drop.

const flash = document.getElementById("flash");
if (flash) {
  // A success message goes after a while; an error stays until the next action.
  new MutationObserver(() => {
    const ok = flash.querySelector(".message.ok");
    if (ok) setTimeout(() => { if (ok.isConnected) ok.remove(); }, 4000);
  }).observe(flash, {childList: true, subtree: true});
}

// Code tree: drag a code onto another to move it under that one (or onto the top zone).
let dragged = null;
document.addEventListener("dragstart", (event) => {
  const row = event.target.closest && event.target.closest("[data-drag-code]");
  if (!row) return;
  dragged = row.dataset.dragCode;
  event.dataTransfer.setData("text/plain", dragged);
  event.dataTransfer.effectAllowed = "move";
});
document.addEventListener("dragover", (event) => {
  const zone = event.target.closest && event.target.closest("[data-drop-code]");
  if (dragged && zone) { event.preventDefault(); zone.classList.add("over"); }
});
document.addEventListener("dragleave", (event) => {
  const zone = event.target.closest && event.target.closest("[data-drop-code]");
  if (zone) zone.classList.remove("over");
});
document.addEventListener("drop", (event) => {
  const zone = event.target.closest && event.target.closest("[data-drop-code]");
  if (!dragged || !zone) return;
  event.preventDefault();
  zone.classList.remove("over");
  const parent = zone.dataset.dropCode;
  if (parent !== dragged) {
    htmx.ajax("POST", `/codes/${dragged}`, {source: zone, values: {parent}, swap: "none"});
  }
  dragged = null;
});
