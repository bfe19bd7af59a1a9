/* The portal's only script. Every page works without it; with it, uploads show their transfer
   progress, batch pages follow validation live without reloading, and profile forms grow rows. */
(function () {
  "use strict";

  var JSON_HEADERS = { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" };

  function csrfToken(form) {
    var field = form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function getJSON(url) {
    return fetch(url, { headers: JSON_HEADERS, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function getHTML(url) {
    return fetch(url, { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      });
  }

  /* Live batch panel: poll the status while the batch moves; swap the panel when its state
     changes, so the decision, counts, chart and downloads appear in place. */
  function watchPanel(container) {
    var panel = container.querySelector(".batch-panel");
    if (!panel || panel.dataset.watch !== "1") { return; }
    var state = panel.dataset.state;
    var delay = state === "awaiting_rpo" ? 4000 : 700;
    var failures = 0;

    function tick() {
      getJSON(panel.dataset.statusUrl).then(function (status) {
        failures = 0;
        if (status.state !== state) {
          return getHTML(panel.dataset.panelUrl).then(function (html) {
            container.innerHTML = html;
            watchPanel(container);
          });
        }
        var bar = panel.querySelector("#validation-progress");
        if (bar) {
          if (status.percent === null) { bar.removeAttribute("value"); } else { bar.value = status.percent; }
        }
        var text = panel.querySelector("#validation-text");
        if (text) { text.textContent = status.progress_text; }
        window.setTimeout(tick, delay);
      }).catch(function () {
        failures += 1;
        window.setTimeout(tick, Math.min(30000, delay * Math.pow(2, failures)));
      });
    }
    window.setTimeout(tick, delay);
  }

  function formatBytes(n) {
    if (n < 1024) { return n + " B"; }
    if (n < 1048576) { return (n / 1024).toFixed(1) + " KB"; }
    if (n < 1073741824) { return (n / 1048576).toFixed(1) + " MB"; }
    return (n / 1073741824).toFixed(2) + " GB";
  }

  /* Upload: drag and drop or file picker, XMLHttpRequest with transfer progress, then the
     batch panel follows validation. */
  function setUpUpload(form) {
    var input = form.querySelector('input[type="file"]');
    var zone = document.getElementById("dropzone");
    var chosen = document.getElementById("chosen-file");
    var texts = document.getElementById("upload-texts").dataset;
    var button = document.getElementById("upload-button");
    var transfer = document.getElementById("transfer");
    var bar = document.getElementById("transfer-progress");
    var label = document.getElementById("transfer-label");
    var amount = document.getElementById("transfer-text");
    var errorBox = document.getElementById("upload-error");
    var result = document.getElementById("upload-result");

    function showChosen() {
      chosen.textContent = input.files.length ? texts.chosen + " " + input.files[0].name : "";
    }

    function showError(message, code) {
      document.getElementById("upload-error-message").textContent = message;
      document.getElementById("upload-error-code").textContent = code;
      errorBox.hidden = false;
      button.disabled = false;
    }

    input.addEventListener("change", showChosen);
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.remove("dragging");
      });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        showChosen();
      }
    });

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !input.files.length) { return; }
      event.preventDefault();
      errorBox.hidden = true;
      button.disabled = true;
      transfer.hidden = false;
      label.textContent = texts.transferring;
      bar.value = 0;
      amount.textContent = "";
      result.innerHTML = "";

      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("X-CSRF-Token", csrfToken(form));
      xhr.responseType = "text";
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((100 * e.loaded) / e.total);
          amount.textContent = formatBytes(e.loaded) + " / " + formatBytes(e.total) + " (" + bar.value + "%)";
        }
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
        if ((xhr.status === 200 || xhr.status === 202) && body && body.panel_url) {
          bar.value = 100;
          label.textContent = texts.transferred;
          button.disabled = false;
          form.reset();
          showChosen();
          getHTML(body.panel_url).then(function (html) {
            result.innerHTML = html;
            watchPanel(result);
          });
          return;
        }
        transfer.hidden = true;
        if (body && body.error) {
          showError(body.message, body.error);
        } else {
          showError(texts.unexpected, "HTTP_" + xhr.status);
        }
      });
      xhr.addEventListener("error", function () {
        transfer.hidden = true;
        showError(texts.networkError, "NETWORK_ERROR");
      });
      xhr.send(new FormData(form));
    });
  }

  /* Profile form: rows added from a template, numbered after the existing ones. */
  function setUpRows() {
    document.querySelectorAll("button.add-row").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var template = document.getElementById(button.dataset.template);
        var target = document.getElementById(button.dataset.target);
        var index = parseInt(target.dataset.next, 10);
        target.dataset.next = String(index + 1);
        target.insertAdjacentHTML("beforeend", template.innerHTML.split("__i__").join(String(index)));
        var rows = target.querySelectorAll("fieldset");
        var legend = rows[rows.length - 1].querySelector("legend");
        if (legend) { legend.textContent = legend.textContent.trim() + " " + (index + 1); }
        var first = rows[rows.length - 1].querySelector("input");
        if (first) { first.focus(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var live = document.getElementById("batch-live");
    if (live) { watchPanel(live); }
    var upload = document.getElementById("upload-form");
    if (upload) { setUpUpload(upload); }
    setUpRows();
  });
})();
