// The survey page's script: ODK Web Forms renders the published XForm; the answers go to
// this server's OpenRosa /submission; the engine's English interface strings are shown in
// the page's language (ru, kk, en) from the table the server puts in data-strings.
import { createApp, h } from "vue";
import { OdkWebForm, webFormsPlugin } from "@getodk/web-forms";

const host = document.getElementById("odk-form");
const strings = JSON.parse(host.dataset.strings || "{}");

function translated(text) {
  const key = text.trim();
  if (Object.hasOwn(strings, key)) return text.replace(key, strings[key]);
  const errors = /^(\d+) questions? with errors?\.$/.exec(key);
  if (errors) {
    const many = strings[errors[1] === "1" ? "{n} question with error." : "{n} questions with errors."];
    if (many) return text.replace(key, many.replace("{n}", errors[1]));
  }
  return null;
}

function translate(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = translated(node.nodeValue);
    if (text !== null && text !== node.nodeValue) node.nodeValue = text;
  }
  for (const element of root.querySelectorAll("[aria-label]")) {
    const label = translated(element.getAttribute("aria-label"));
    if (label !== null) element.setAttribute("aria-label", label);
  }
}

new MutationObserver(() => translate(host)).observe(host, {
  childList: true, subtree: true, characterData: true,
});

function show(message) {
  const box = document.getElementById("send-status");
  box.textContent = message;
  box.hidden = false;
}

async function send(payload, callback) {
  const data = Array.isArray(payload.data) ? payload.data[0] : payload.data;
  const body = new FormData();
  body.set("xml_submission_file", data.get("xml_submission_file"));
  let response;
  try {
    response = await fetch(host.dataset.submit, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-OpenRosa-Version": "1.0" },
    });
  } catch {
    show(strings["syrmak:offline"]);
    callback({ status: "failure" });
    return;
  }
  if (response.status === 201 || response.status === 409) {
    callback({ status: "success" });
    window.location.assign(host.dataset.thanks);
    return;
  }
  const text = await response.text();
  const message = new DOMParser().parseFromString(text, "text/xml")
    .querySelector("message")?.textContent;
  show(message || strings["syrmak:failed"]);
  callback({ status: "failure" });
}

const formXml = await (await fetch(host.dataset.form, { credentials: "same-origin" })).text();
host.textContent = "";
createApp({
  render: () => h(OdkWebForm, {
    formXml,
    fetchFormAttachment: () => Promise.resolve(new Response("", { status: 404 })),
    onSubmit: send,
  }),
}).use(webFormsPlugin).mount(host);
