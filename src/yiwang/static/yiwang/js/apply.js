/*
 * 一网通办 — application, case and workbench case pages. Progressive enhancement only:
 * without this file every conditional field stays visible (with the sentence saying when
 * to fill it in), every row of a list form is shown, and the server checks everything.
 *
 *   <div data-show-when="NAME" data-show-values='["a","true"]'>
 *        shown only while the control(s) named NAME in the same form have one of the values
 *        (a ticked single checkbox reports "true", an unticked one "false"); without
 *        data-show-values: shown while the control has any non-empty value / is ticked.
 *        Values typed into a hidden field are kept (the server ignores fields whose
 *        condition does not hold), so nothing entered is lost by toggling.
 *   [data-error-summary]   focused when the page loads, so screen readers announce it
 *   form[data-apply-form]  a second submit while the first is on its way is ignored
 *   [data-rows] / [data-row] / [data-add-row]
 *        list forms (补正清单): empty rows after the first empty one are folded away and
 *        the add-row button reveals them one by one
 *   button[data-print]     prints the page (the receipt)
 */
(function () {
  "use strict";

  function controlValues(scope, name) {
    var controls = scope.querySelectorAll("[name]");
    var values = [];
    var singles = 0;
    for (var i = 0; i < controls.length; i += 1) {
      var el = controls[i];
      if (el.getAttribute("name") !== name) {
        continue;
      }
      if (el.type === "checkbox") {
        singles += 1;
        if (el.checked) {
          values.push(el.value);
        }
      } else if (el.type === "radio") {
        if (el.checked) {
          values.push(el.value);
        }
      } else {
        values.push(el.value);
      }
    }
    if (values.length === 0) {
      values.push(singles === 1 ? "false" : "");
    }
    return values;
  }

  function conditionHolds(el) {
    var scope = el.closest("form") || document;
    var current = controlValues(scope, el.getAttribute("data-show-when"));
    var wanted = el.getAttribute("data-show-values");
    if (!wanted) {
      return current.some(function (v) {
        return v !== "" && v !== "false";
      });
    }
    var list;
    try {
      list = JSON.parse(wanted);
    } catch (e) {
      return true;
    }
    return list.some(function (v) {
      return current.indexOf(String(v)) !== -1;
    });
  }

  function refreshConditions() {
    var items = document.querySelectorAll("[data-show-when]");
    for (var i = 0; i < items.length; i += 1) {
      var show = conditionHolds(items[i]);
      // A field with an error stays visible: the person must see what to fix.
      if (!show && items[i].querySelector("[aria-invalid='true']")) {
        show = true;
      }
      items[i].hidden = !show;
    }
  }

  function rowIsEmpty(row) {
    var controls = row.querySelectorAll("input, select, textarea");
    for (var i = 0; i < controls.length; i += 1) {
      if (controls[i].value) {
        return false;
      }
    }
    return true;
  }

  function setupRows(container) {
    var rows = container.querySelectorAll("[data-row]");
    var button = container.querySelector("[data-add-row]");
    if (!button || rows.length === 0) {
      return;
    }
    var seenEmpty = false;
    for (var i = 0; i < rows.length; i += 1) {
      if (rowIsEmpty(rows[i])) {
        if (seenEmpty) {
          rows[i].hidden = true;
        }
        seenEmpty = true;
      }
    }
    function update() {
      button.hidden = !container.querySelector("[data-row][hidden]");
    }
    button.addEventListener("click", function () {
      var next = container.querySelector("[data-row][hidden]");
      if (next) {
        next.hidden = false;
        var first = next.querySelector("select, input, textarea");
        if (first) {
          first.focus();
        }
      }
      update();
    });
    update();
  }

  function init() {
    refreshConditions();
    document.addEventListener("change", refreshConditions);
    document.addEventListener("input", refreshConditions);

    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }

    var lists = document.querySelectorAll("[data-rows]");
    for (var i = 0; i < lists.length; i += 1) {
      setupRows(lists[i]);
    }

    var printButtons = document.querySelectorAll("button[data-print]");
    for (var j = 0; j < printButtons.length; j += 1) {
      printButtons[j].hidden = false;
      printButtons[j].addEventListener("click", function () {
        window.print();
      });
    }
  }

  // One submission at a time (the server is idempotent anyway; this spares a second request).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-apply-form") || event.defaultPrevented) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
  });

  // Coming back with the browser's back button must not leave the form stuck as busy.
  window.addEventListener("pageshow", function () {
    var busy = document.querySelectorAll("form[aria-busy='true']");
    for (var i = 0; i < busy.length; i += 1) {
      busy[i].removeAttribute("aria-busy");
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
