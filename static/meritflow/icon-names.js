// Some of viewflow's buttons hold nothing but an icon ligature, which a screen reader reads out as a word
// ("visibility", "arrow_drop_down"): the password field's show/hide eye and the menu's account toggle. This gives
// each one the translated name its <script> tag carries (data-<icon name>), and keeps it current as the icon changes.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || window.meritflowIconNames) {
    return;
  }
  window.meritflowIconNames = true;
  const names = {};
  for (const [key, value] of Object.entries(script.dataset)) {
    // data-visibility-off becomes dataset.visibilityOff; the ligature is visibility_off.
    names[key.replace(/[A-Z]/g, (letter) => "_" + letter.toLowerCase())] = value;
  }

  function label() {
    document.querySelectorAll(".vf-text-field__button, .vf-page__menu-toggle-button").forEach((button) => {
      const icon = button.querySelector(".material-icons");
      const name = icon && names[icon.textContent.trim()];
      if (name && button.getAttribute("aria-label") !== name) {
        button.setAttribute("aria-label", name);
        icon.setAttribute("aria-hidden", "true");
      }
    });
  }

  new MutationObserver(label).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  document.addEventListener("DOMContentLoaded", label);
  label();
})();
