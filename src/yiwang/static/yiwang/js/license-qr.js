/* 全屏显示 for a license's QR code (templates/portal/licenses_detail.html).
 *
 *   <figure data-license-qr> … <button data-qr-toggle hidden>全屏显示</button></figure>
 *
 * The button is shown only when this script runs. It enlarges the QR to fill the screen
 * (the Fullscreen API where the browser has it, a fixed overlay otherwise) so a verifier can
 * scan it from a phone; the same button, Escape or a tap on the code goes back.
 */
(function () {
  "use strict";

  function setup(figure) {
    var button = figure.querySelector("[data-qr-toggle]");
    if (!button) {
      return;
    }
    var open = false;

    function show(on) {
      open = on;
      figure.classList.toggle("license-qr--fullscreen", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "退出全屏" : "全屏显示";
      if (on && figure.requestFullscreen && !document.fullscreenElement) {
        figure.requestFullscreen().catch(function () {});
      } else if (!on && document.fullscreenElement === figure && document.exitFullscreen) {
        document.exitFullscreen().catch(function () {});
      }
      button.focus();
    }

    button.hidden = false;
    button.addEventListener("click", function () {
      show(!open);
    });
    figure.addEventListener("keydown", function (event) {
      if (open && event.key === "Escape") {
        show(false);
      }
    });
    figure.querySelector(".license-qr__code").addEventListener("click", function () {
      if (open) {
        show(false);
      }
    });
    document.addEventListener("fullscreenchange", function () {
      if (open && document.fullscreenElement !== figure) {
        show(false);
      }
    });
  }

  document.querySelectorAll("[data-license-qr]").forEach(setup);
})();
