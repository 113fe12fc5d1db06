// The thank-you page's copy buttons: the link beside the button goes to the clipboard.
// The links stay plain, selectable text with JavaScript off.
for (const button of document.querySelectorAll("button.copy")) {
  button.addEventListener("click", async () => {
    const field = button.parentElement.querySelector("input");
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy");
    }
    button.textContent = button.dataset.copied;
  });
}
