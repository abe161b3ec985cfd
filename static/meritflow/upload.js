// Upload with a progress bar: forms marked data-mf-upload are posted with XMLHttpRequest so the browser can report
// how much has been sent. The server stays the only judge: when it kept the file it answers with the address of the
// next page (JSON), which is then opened; otherwise its answer is the form page again with the translated errors,
// and that form replaces this one. Without JavaScript the form posts as usual.
(function () {
  "use strict";
  if (window.meritflowUpload) {
    return;
  }
  window.meritflowUpload = true;

  function replaceForm(form, html) {
    const page = new DOMParser().parseFromString(html, "text/html");
    const fresh = page.querySelector("form[data-mf-upload]");
    if (!fresh) {
      document.open();
      document.write(html);
      document.close();
      return;
    }
    form.replaceWith(fresh);
    const firstError = fresh.querySelector("[role=alert]");
    if (firstError) {
      firstError.setAttribute("tabindex", "-1");
      firstError.focus();
    }
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-mf-upload") || !window.FormData) {
      return;
    }
    event.preventDefault();
    const progress = form.querySelector("[data-mf-upload-progress]");
    const bar = progress && progress.querySelector("progress");
    const status = progress && progress.querySelector("[data-mf-upload-status]");
    const submit = form.querySelector("[type=submit]");
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (step) {
      if (!step.lengthComputable || !bar) {
        return;
      }
      const percent = Math.round((step.loaded / step.total) * 100);
      bar.value = percent;
      status.textContent = status.dataset.label + " " + percent + "%";
    });
    request.addEventListener("load", function () {
      const type = request.getResponseHeader("Content-Type") || "";
      if (request.status === 200 && type.indexOf("application/json") === 0) {
        window.location.assign(JSON.parse(request.responseText).redirect);
      } else {
        replaceForm(form, request.responseText);
      }
    });
    request.addEventListener("error", function () {
      // The connection failed: post the form the ordinary way, so the browser shows what happened.
      form.removeAttribute("data-mf-upload");
      form.submit();
    });
    if (progress) {
      progress.hidden = false;
      bar.value = 0;
    }
    if (submit) {
      submit.disabled = true;
    }
    request.send(new FormData(form));
  });
})();
