// A shortened digest or hash ([data-mf-copy]) copies its full value when clicked; its title shows it whole.
(function () {
  "use strict";
  if (window.meritflowCopy) {
    return;
  }
  window.meritflowCopy = true;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-mf-copy]");
    if (!button || !navigator.clipboard) {
      return;
    }
    navigator.clipboard.writeText(button.dataset.mfCopy).then(() => {
      button.classList.add("mf-digest--copied");
      window.setTimeout(() => button.classList.remove("mf-digest--copied"), 1500);
    });
  });
})();
