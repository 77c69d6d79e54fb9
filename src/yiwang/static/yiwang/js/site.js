/*
 * 一网通办 — progressive enhancement only. Every page works without this file:
 * forms keep their submit buttons and the navigation stays open when JavaScript is off.
 *
 * No inline handlers anywhere (the CSP forbids them); behaviour hangs off data- attributes:
 *   <select data-autosubmit>          submits its form when the choice changes
 *   <button data-nav-toggle aria-controls="ID" aria-expanded="false" hidden>
 *                                     shows/hides the element #ID on narrow screens
 *   <form data-confirm="确定撤回吗？">  asks before submitting (also on buttons)
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  // Region switcher and similar: submit the enclosing form when a choice is made.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!(el instanceof HTMLSelectElement) || !el.hasAttribute("data-autosubmit") || !el.form) {
      return;
    }
    if (typeof el.form.requestSubmit === "function") {
      el.form.requestSubmit();
    } else {
      el.form.submit();
    }
  });

  // Confirmation before destructive submissions.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message =
      (submitter && submitter.getAttribute("data-confirm")) ||
      (form instanceof HTMLFormElement && form.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Mobile navigation toggle.
  function setupNavToggle(button) {
    var target = document.getElementById(button.getAttribute("aria-controls") || "");
    if (!target) {
      return;
    }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      target.classList.toggle("is-open", open);
    }
    setOpen(false);
    button.hidden = false;
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  function init() {
    var toggles = document.querySelectorAll("[data-nav-toggle]");
    for (var i = 0; i < toggles.length; i += 1) {
      setupNavToggle(toggles[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
