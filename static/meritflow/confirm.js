// Ask before an act that cannot be undone: a form, or the button that submits it, marked data-mf-confirm="…"
// asks that question first and is sent only if the user agrees. Without JavaScript the form posts as usual (the
// server still checks everything). Loaded once on every page; Turbo keeps it across page swaps.
(function () {
  "use strict";
  if (window.meritflowConfirm) {
    return;
  }
  window.meritflowConfirm = true;

  document.addEventListener(
    "submit",
    function (event) {
      const button = event.submitter;
      const question =
        (button && button.dataset.mfConfirm) || event.target.dataset.mfConfirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );
})();
