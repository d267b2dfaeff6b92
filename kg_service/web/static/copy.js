// Copy buttons (the downloads page's SHA-256 digests): shown only where the Clipboard API
// exists, so a page without script still shows each digest in full on hover.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    const label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = button.dataset.done;
      } catch {
        return; // a refused permission leaves the digest to be read on hover
      }
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  }
});
