/*
 * Verify a ledger entry in the browser, without trusting the server's word (the checks are
 * ledger-core.js's YiwangLedger.verifyEntry, loaded before this file):
 * 1. fetch the entry's leaf text, its RFC 9162 inclusion proof and the log's public key;
 * 2. hash the leaf (SHA-256 of 0x00 || leaf), walk the proof to a root (RFC 9162 §2.1.3.2);
 * 3. check the signed checkpoint's Ed25519 signature (C2SP signed note) with WebCrypto;
 * 4. compare the computed root with the signed root.
 * Any mismatch is reported; nothing here relies on the server saying "ok".
 */
(function () {
  "use strict";

  function setResult(el, ok, text) {
    el.textContent = text;
    el.classList.remove("verify-ok", "verify-fail");
    el.classList.add(ok ? "verify-ok" : "verify-fail");
    el.setAttribute("data-verified", ok ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-verify-entry]");
    if (!button) return;
    event.preventDefault();
    var out = document.getElementById(button.getAttribute("aria-controls"));
    if (!window.crypto || !crypto.subtle || !window.YiwangLedger) {
      setResult(out, false, "此浏览器不支持 WebCrypto，请使用 yiwang-verify 离线验证");
      return;
    }
    out.textContent = "正在浏览器中验证……";
    window.YiwangLedger.verifyEntry(button.getAttribute("data-verify-entry")).then(function (r) {
      setResult(out, true, "✓ 验证通过：该记录是账本 " + r.origin + " 的第 " + r.index + " 号叶子，包含在已签名的检查点（树大小 " + r.size + "）中。");
    }, function (err) {
      setResult(out, false, "✗ 验证失败：" + err.message);
    });
  });
})();
