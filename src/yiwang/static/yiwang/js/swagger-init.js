/*
 * Starts the vendored Swagger UI on #swagger-ui (templates/api/docs.html).
 * The page carries its configuration in data- attributes, since the CSP forbids inline
 * scripts:
 *   data-schema-url  the OpenAPI document to load
 *   data-csrf        the CSRF token, sent as X-CSRFToken on same-origin "Try it out" calls
 */
(function () {
  "use strict";

  function sameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (e) {
      return false;
    }
  }

  function init() {
    var el = document.getElementById("swagger-ui");
    if (!el) {
      return;
    }
    if (typeof window.SwaggerUIBundle !== "function") {
      el.textContent = "接口文档组件未能加载，请刷新页面重试。";
      return;
    }
    var schemaUrl = el.getAttribute("data-schema-url");
    var csrfToken = el.getAttribute("data-csrf") || "";
    var SwaggerUIBundle = window.SwaggerUIBundle;

    window.ui = SwaggerUIBundle({
      url: schemaUrl,
      domNode: el,
      deepLinking: true,
      // Never call the public validator: intranets are closed and the CSP forbids it.
      validatorUrl: null,
      // Do not let ?url= / ?configUrl= in the address bar load another document.
      queryConfigEnabled: false,
      presets: [SwaggerUIBundle.presets.apis],
      plugins: [],
      layout: "BaseLayout",
      defaultModelsExpandDepth: 0,
      docExpansion: "list",
      requestInterceptor: function (request) {
        if (csrfToken && sameOrigin(request.url)) {
          request.headers = request.headers || {};
          request.headers["X-CSRFToken"] = csrfToken;
        }
        return request;
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
