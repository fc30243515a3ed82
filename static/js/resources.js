/* Maillage: the resource library's conveniences (desk, /bureau/ressources/).
 *
 * 1. The error summary on top of a refused form takes the focus (it also carries
 *    `autofocus`); its links focus the field they name (opening a folded <details>).
 * 2. The workshop kit's steps (a Django formset, prefix "steps"): without JavaScript the form
 *    shows the steps plus three empty ones; here an "Add a step" button copies the
 *    <template id="step-template"> (ids and names hold __prefix__, the legend __number__) and
 *    counts it in steps-TOTAL_FORMS. The new step's title takes the focus and the live region
 *    says it was added.
 */
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    if (document.activeElement !== summary) { summary.focus(); }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var details = target.closest("details");
      if (details) { details.open = true; }
      target.scrollIntoView({block: "center"});
      target.focus();
    });
  }

  function announce(text) {
    var region = document.getElementById("live-announcer");
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function steps() {
    var list = document.querySelector("[data-steps]");
    var template = document.getElementById("step-template");
    var total = document.getElementById("id_steps-TOTAL_FORMS");
    var max = document.getElementById("id_steps-MAX_NUM_FORMS");
    if (!list || !template || !total || !template.content) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary button--small";
    button.textContent = list.getAttribute("data-add-label");
    list.insertAdjacentElement("afterend", button);
    var help = document.getElementById("steps-help");
    if (help) { help.hidden = true; }

    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      if (max && index >= parseInt(max.value, 10)) { button.disabled = true; return; }
      var html = template.innerHTML.split("__prefix__").join(String(index))
        .split("__number__").join(String(index + 1));
      var holder = document.createElement("ol");
      holder.innerHTML = html;
      var item = holder.firstElementChild;
      list.appendChild(item);
      total.value = String(index + 1);
      var title = item.querySelector("input[type='text']");
      if (title) { title.focus(); }
      announce((list.getAttribute("data-added-label") || "").replace("%s", String(index + 1)));
    });
  }

  focusSummary();
  steps();
})();
