/*
 * Submit a form marked <form data-auto-submit> as soon as the page is read (no inline script:
 * the CSP allows our own files only). Used by the logout page that POSTs the ID token to the
 * identity platform; without script its visible button does the same.
 */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-auto-submit]");
    if (form) {
      form.submit();
    }
  });
})();
