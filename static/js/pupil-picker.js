/* Pupil pickers (templates/incidents/partials/pupil_picker.html): htmx searches as the person types, and this
   script makes each pupil found a button that chooses them. Without JavaScript the picker still works: its
   Search and "Change pupil" buttons post the form, and the page offers the pupils found as radio buttons. */
(function () {
  "use strict";

  function parts(picker) {
    return {
      value: picker.querySelector("[data-pupil-value]"),
      chosen: picker.querySelector("[data-pupil-chosen]"),
      chosenName: picker.querySelector("[data-pupil-chosen-name]"),
      search: picker.querySelector("[data-pupil-search]"),
      box: picker.querySelector("[data-pupil-search] input"),
      results: picker.querySelector(".pupil-picker__results"),
      change: picker.querySelector("[data-pupil-change]"),
    };
  }

  function say(results, text) {
    const status = document.createElement("p");
    status.className = "pupil-picker__status";
    status.textContent = text;
    results.replaceChildren(status);
  }

  function choose(picker, button) {
    const p = parts(picker);
    p.value.disabled = false; // it was disabled while radio buttons from a search without JavaScript were shown
    p.value.value = button.dataset.pupilId;
    p.chosenName.textContent = button.textContent.trim();
    p.chosen.hidden = false;
    p.search.hidden = true;
    p.results.replaceChildren();
    p.change.focus(); // the list has gone: keep the keyboard where the choice is shown (and can be changed)
  }

  function change(picker) {
    const p = parts(picker);
    p.value.disabled = false;
    p.value.value = "";
    p.chosen.hidden = true;
    p.search.hidden = false;
    p.results.replaceChildren();
    p.box.focus();
    p.box.select();
  }

  function search(picker) {
    htmx.trigger(parts(picker).box, "search");
  }

  document.addEventListener("DOMContentLoaded", function () {
    // These buttons post the form only for browsers without this script. As plain buttons, they leave Enter in
    // any other field to press the form's own first button, as it did before pickers were added.
    document.querySelectorAll("[data-pupil-find], [data-pupil-change]").forEach(function (button) {
      button.type = "button";
    });
  });

  document.addEventListener("click", function (event) {
    const picker = event.target.closest("[data-pupil-picker]");
    if (!picker) return;
    const result = event.target.closest(".pupil-result");
    if (result) choose(picker, result);
    else if (event.target.closest("[data-pupil-change]")) change(picker);
    else if (event.target.closest("[data-pupil-find]")) search(picker);
  });

  document.addEventListener("keydown", function (event) {
    // Enter in a search box searches now, rather than sending the whole form.
    const picker = event.key === "Enter" && event.target.closest("[data-pupil-search]");
    if (!picker) return;
    event.preventDefault();
    search(event.target.closest("[data-pupil-picker]"));
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    // A session that has ended sends the search to the sign-in page: say so here instead of showing that page.
    const results = event.detail.target;
    if (!results.matches(".pupil-picker__results")) return;
    const asked = new URL(event.detail.pathInfo.requestPath, location.href).pathname;
    const answered = new URL(event.detail.xhr.responseURL, location.href).pathname;
    if (!event.detail.isError && asked === answered) return;
    event.detail.shouldSwap = false;
    say(
      results,
      asked === answered
        ? "The search did not answer. Try again in a moment."
        : "The search has stopped: you may have been signed out after a while without using Safeguard. " +
            "Copy anything you have written before you reload this page.",
    );
  });
})();
