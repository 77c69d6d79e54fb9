/*
 * Keep what was typed (no inline script: the CSP forbids it).
 *
 *   <form data-keep-form="KEY">   on submit, its text values go to sessionStorage (this tab
 *                                 only, never the server). When the page is shown again with
 *                                 the form empty (the server refused the request as too large,
 *                                 the session expired, the browser reloaded it), they are put
 *                                 back. A form shown with server-filled values means the server
 *                                 has them: the copy is dropped. So is it when the submit led
 *                                 to another page (saved), not to an error at the same address.
 *   <a data-history-back href=…>  goes back in history (the browser keeps the typed form);
 *                                 without script the link's href is used.
 * Files and passwords are never kept.
 */
(function () {
  "use strict";

  var PREFIX = "yiwang:keep-form:";
  var SKIP = { file: 1, password: 1, hidden: 1, submit: 1, button: 1, reset: 1, image: 1 };

  function store() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null; // storage disabled: nothing is kept, nothing breaks
    }
  }

  function fields(form) {
    var out = [];
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (el.name && !SKIP[el.type] && !el.disabled) {
        out.push(el);
      }
    }
    return out;
  }

  // Shown "without server-filled values": every text field is empty (choices such as
  // selects and radios have server defaults, so they do not count).
  function isEmpty(form) {
    return fields(form).every(function (el) {
      var choice = el.tagName === "SELECT" || el.type === "checkbox" || el.type === "radio";
      return choice || !el.value;
    });
  }

  function save(form) {
    var s = store();
    if (!s) return;
    var values = [];
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) values.push([el.name, el.value, true]);
      } else if (el.tagName === "SELECT" && el.multiple) {
        for (var i = 0; i < el.options.length; i++) {
          if (el.options[i].selected) values.push([el.name, el.options[i].value, true]);
        }
      } else if (el.value) {
        values.push([el.name, el.value, false]);
      }
    });
    var action = new URL(form.action || window.location.href, window.location.href).pathname;
    s.setItem(PREFIX + form.getAttribute("data-keep-form"), JSON.stringify({ action: action, values: values }));
  }

  function restore(form, saved) {
    var byName = {};
    fields(form).forEach(function (el) {
      (byName[el.name] = byName[el.name] || []).push(el);
    });
    var nextText = {};
    saved.values.forEach(function (entry) {
      var els = byName[entry[0]] || [];
      if (entry[2]) {
        els.forEach(function (el) {
          if (el.tagName === "SELECT") {
            for (var i = 0; i < el.options.length; i++) {
              if (el.options[i].value === entry[1]) el.options[i].selected = true;
            }
          } else if (el.value === entry[1]) {
            el.checked = true;
          }
        });
      } else {
        var n = nextText[entry[0]] || 0;
        if (els[n]) els[n].value = entry[1];
        nextText[entry[0]] = n + 1;
      }
    });
  }

  function onShow() {
    var s = store();
    if (!s) return;
    var here = window.location.pathname;
    for (var i = s.length - 1; i >= 0; i--) {
      var key = s.key(i);
      if (!key || key.indexOf(PREFIX) !== 0) continue;
      var saved;
      try {
        saved = JSON.parse(s.getItem(key));
      } catch (e) {
        s.removeItem(key);
        continue;
      }
      var form = document.querySelector('form[data-keep-form="' + key.slice(PREFIX.length).replace(/"/g, "") + '"]');
      if (form) {
        if (isEmpty(form)) {
          restore(form, saved);
        } else {
          s.removeItem(key); // the server showed what it has
        }
      } else if (saved.action !== here) {
        s.removeItem(key); // the submit led elsewhere: it was saved
      }
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-keep-form") && !event.defaultPrevented) {
      save(form);
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element && event.target.closest("[data-history-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onShow);
  } else {
    onShow();
  }
})();
