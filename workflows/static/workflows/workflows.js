// The approver's screens, enhanced: the unit pickers and the flow diagram. Everything works without this script:
// a unit picker is then a text input of unit numbers separated by commas, and the diagram is shown from its start.
// Turbo swaps pages without reloading this module, so it enhances on every "turbo:load" as well as at once.

const DEBOUNCE_MS = 200;
let serial = 0;

async function findUnits(input, params) {
  const url = new URL(input.dataset.searchUrl, window.location.href);
  if (input.dataset.process) {
    url.searchParams.set("process", input.dataset.process);
  }
  for (const [key, value] of Object.entries(params)) {
    url.searchParams.set(key, value);
  }
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  return response.ok ? (await response.json()).results : [];
}

function enhancePicker(input) {
  if (input.dataset.mfEnhanced) {
    return;
  }
  input.dataset.mfEnhanced = "true";
  const multiple = input.dataset.multiple === "true";
  const key = `mf-picker-${++serial}`;
  const chosen = new Map();
  let matches = [];
  let active = -1;
  let timer = null;

  const wrapper = document.createElement("div");
  wrapper.className = "mf-picker";
  const chips = document.createElement("ul");
  chips.className = "mf-picker__chosen";
  const search = document.createElement("input");
  search.type = "text";
  search.className = "mf-picker__search";
  search.placeholder = input.dataset.searchLabel;
  search.autocomplete = "off";
  search.setAttribute("role", "combobox");
  search.setAttribute("aria-autocomplete", "list");
  search.setAttribute("aria-expanded", "false");
  search.setAttribute("aria-controls", `${key}-options`);
  const options = document.createElement("ul");
  options.id = `${key}-options`;
  options.className = "mf-picker__options";
  options.setAttribute("role", "listbox");
  options.hidden = true;
  const status = document.createElement("span");
  status.className = "mf-visually-hidden";
  status.setAttribute("role", "status");

  // The field's <label for> now names the search box; the chosen ids travel in the hidden input.
  search.id = input.id;
  input.id = `${input.id}_ids`;
  const described = input.getAttribute("aria-describedby");
  if (described) {
    search.setAttribute("aria-describedby", described);
  }
  input.type = "hidden";
  wrapper.append(chips, search, options, status);
  input.after(wrapper);

  function renderChosen() {
    input.value = [...chosen.keys()].join(",");
    chips.replaceChildren(
      ...[...chosen].map(([id, label]) => {
        const chip = document.createElement("li");
        chip.className = "mf-picker__chip";
        chip.append(label);
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `${input.dataset.removeLabel}: ${label}`);
        remove.addEventListener("click", () => {
          chosen.delete(id);
          renderChosen();
          search.focus();
        });
        chip.append(remove);
        return chip;
      }),
    );
  }

  function close() {
    options.hidden = true;
    options.replaceChildren();
    matches = [];
    active = -1;
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
  }

  function choose(unit) {
    if (!multiple) {
      chosen.clear();
    }
    chosen.set(String(unit.id), unit.label);
    renderChosen();
    close();
    search.value = "";
    status.textContent = unit.label;
  }

  function show(units) {
    close();
    matches = units;
    options.append(
      ...units.map((unit, index) => {
        const option = document.createElement("li");
        option.id = `${key}-option-${index}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = unit.label;
        // mousedown, not click: the search box keeps the focus.
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(unit);
        });
        return option;
      }),
    );
    options.hidden = units.length === 0;
    search.setAttribute("aria-expanded", String(units.length > 0));
    status.textContent = units.length ? "" : input.dataset.noneLabel;
  }

  function move(step) {
    if (!matches.length) {
      return;
    }
    active = (active + step + matches.length) % matches.length;
    for (const [index, option] of [...options.children].entries()) {
      option.setAttribute("aria-selected", String(index === active));
    }
    const current = options.children[active];
    search.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  }

  search.addEventListener("input", () => {
    clearTimeout(timer);
    const term = search.value.trim();
    if (!term) {
      close();
      return;
    }
    timer = setTimeout(async () => {
      const units = await findUnits(input, { q: term });
      if (search.value.trim() === term) {
        show(units);
      }
    }, DEBOUNCE_MS);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      // Enter picks a match; it never submits the step's form from the search box.
      event.preventDefault();
      if (matches.length) {
        choose(matches[Math.max(active, 0)]);
      }
    } else if (event.key === "Escape") {
      close();
    }
  });
  search.addEventListener("blur", close);

  const ids = input.value.split(",").map((id) => id.trim()).filter(Boolean);
  if (ids.length) {
    for (const id of ids) {
      chosen.set(id, id);
    }
    renderChosen();
    findUnits(input, { ids: ids.join(",") }).then((units) => {
      for (const unit of units) {
        chosen.set(String(unit.id), unit.label);
      }
      renderChosen();
    });
  }
}

function showCurrentStep(chart) {
  const node = chart.querySelector("g.new, g.assigned, g.started");
  if (!node) {
    return;
  }
  const box = node.getBoundingClientRect();
  const frame = chart.getBoundingClientRect();
  chart.scrollLeft += box.left - frame.left - (frame.width - box.width) / 2;
  chart.scrollTop += box.top - frame.top - (frame.height - box.height) / 2;
}

function enhance() {
  document.querySelectorAll("input[data-mf-unit-picker]").forEach(enhancePicker);
  document.querySelectorAll(".mf-diagram__chart").forEach((chart) => {
    showCurrentStep(chart);
    // A folded drawing has no size until it is unfolded: centre its current step then.
    chart.closest("details")?.addEventListener("toggle", () => showCurrentStep(chart));
  });
}

document.addEventListener("turbo:load", enhance);
enhance();
