/*
 * 证照核验 (/licenses/verify): the steps of docs/licenses.md "Verifying a QR", all in the browser.
 * 1. the QR text is a C2SP signed note: its signature is checked with WebCrypto (Ed25519)
 *    against the issuer vkey of GET /api/v1/licenses/key (key id checked too), then the body:
 *    eight lines, "yiwang-license/1", the identifier's ISO 7064 MOD 37,36 check character,
 *    the type code and issuer USCC lines equal to those inside the identifier;
 * 2. GET /api/v1/licenses/status/{identifier}, fresh each time (cache: no-store);
 * 3. the inclusion proof of its ledger_entry_id against the log's signed checkpoint
 *    (ledger-core.js), and the proven leaf's payload {identifier, status, version} must be
 *    the status answered.
 * The QR text comes from the textarea, a photo (decoded here with jsQR), the camera, or the
 * URL fragment (#<base64url of the note>) — never from the server, never sent to it.
 */
(function () {
  "use strict";
  var L = window.YiwangLedger;
  var HEADER = "yiwang-license/1";
  var ROOT = "1.2.156.3005.2";
  var ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  var STATUS_LABELS = {
    valid: "有效", suspended: "已暂停", revoked: "已撤销",
    expired: "已过期", superseded: "已替代", cancelled: "已注销",
  };

  function fail(message, code) {
    var err = new Error(message);
    err.code = code;
    return err;
  }

  /* ISO 7064 MOD 37,36 (hybrid, M = 36) over `body` (0-9, A-Z): yiwang.core.identifiers. */
  function mod3736(body) {
    var m = 36, p = m;
    for (var i = 0; i < body.length; i++) {
      var v = ALNUM.indexOf(body.charAt(i));
      if (v < 0) return null;
      var s = (p + v) % m || m;
      p = (2 * s) % (m + 1);
    }
    return ALNUM.charAt((m + 1 - p) % m);
  }

  /* GB 32100 统一社会信用代码 check character (weights 3^i mod 31). */
  function usccValid(code) {
    if (!/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
    var sum = 0, w = 1;
    for (var i = 0; i < 17; i++) {
      sum += USCC_ALPHABET.indexOf(code.charAt(i)) * w;
      w = (w * 3) % 31;
    }
    return USCC_ALPHABET.charAt((31 - (sum % 31)) % 31) === code.charAt(17);
  }

  function checkIdentifier(id) {
    if (id.indexOf(ROOT + ".") !== 0) throw fail("证照标识应以 " + ROOT + ". 开头", "format");
    var parts = id.slice(ROOT.length + 1).split(".");
    if (parts.length !== 5) throw fail("证照标识应为 证照类型.发证机构代码.序号.版本.校验码 五段", "format");
    if (!/^[0-9A-Z]{21}$/.test(parts[0])) throw fail("证照类型代码应为21位数字或字母", "format");
    if (!usccValid(parts[1])) throw fail("证照标识中的发证机构统一社会信用代码不正确", "format");
    if (!/^[0-9A-Z]{1,40}$/.test(parts[2])) throw fail("证照序号应为1到40位数字或字母", "format");
    if (!/^[0-9]{3}$/.test(parts[3])) throw fail("证照版本号应为3位数字", "format");
    var body = (ROOT + parts.slice(0, 4).join("")).split(".").join("");
    if (parts[4].length !== 1 || mod3736(body) !== parts[4]) throw fail("证照标识的校验码不正确（ISO 7064 MOD 37,36）", "format");
    return { typeCode: parts[0], issuer: parts[1], serial: parts[2], version: parseInt(parts[3], 10) };
  }

  function isDate(s) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
    var d = new Date(s + "T00:00:00Z");
    return !isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }

  function isDigest(s) {
    if (!/^[A-Za-z0-9+/]{43}=$/.test(s)) return false;
    return L.b64decode(s).length === 32;
  }

  /* The eight lines of the signed body (docs/licenses.md "QR payload"). */
  function parseBody(text) {
    var lines = text.slice(0, -1).split("\n");
    if (lines.length !== 8) throw fail("证照内容应为 8 行，实为 " + lines.length + " 行", "format");
    if (lines[0] !== HEADER) throw fail("不是电子证照二维码（首行应为 " + HEADER + "）", "format");
    var id = checkIdentifier(lines[1]);
    if (lines[2] !== id.typeCode) throw fail("证照类型代码与证照标识中的不一致", "format");
    if (lines[3] !== id.issuer) throw fail("发证机构代码与证照标识中的不一致", "format");
    if (!isDate(lines[4])) throw fail("有效期起始日期格式不正确", "format");
    if (lines[5] !== "-" && !isDate(lines[5])) throw fail("有效期截止日期格式不正确", "format");
    if (lines[5] !== "-" && lines[5] < lines[4]) throw fail("有效期截止日期早于起始日期", "format");
    if (!isDigest(lines[6])) throw fail("持证主体承诺值格式不正确", "format");
    if (!isDigest(lines[7])) throw fail("证照内容摘要格式不正确", "format");
    return {
      identifier: lines[1], typeCode: id.typeCode, issuer: id.issuer, version: id.version,
      validFrom: lines[4], validUntil: lines[5] === "-" ? null : lines[5],
    };
  }

  function normalise(text) {
    var t = text.replace(/\r\n?/g, "\n").replace(/^\s+|\s+$/g, "");
    return t ? t + "\n" : "";
  }

  function todayInChina() {
    // The platform's days are China's (Asia/Shanghai); en-CA formats as YYYY-MM-DD.
    return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  }

  function sinceText(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    return new Intl.DateTimeFormat("zh-CN", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    }).format(d);
  }

  var issuerKey = null; // fetched once per page: the issuer's published vkey

  async function loadIssuerKey(url) {
    if (!issuerKey) issuerKey = L.parseVkey(await L.getOk(url, "text"));
    try { return await issuerKey; } catch (e) { issuerKey = null; throw e; }
  }

  /* The whole check; returns a report the panel shows (never throws for a bad note). */
  async function verify(noteText, keyUrl) {
    var report = { checks: [], note: null, status: null, proof: null };
    var key;
    try {
      key = await loadIssuerKey(keyUrl);
    } catch (e) {
      report.verdict = e.code === "sm2" ? "sm2" : "error";
      report.reason = e.code === "sm2"
        ? "发证公钥为国密 SM2 公钥：浏览器无法在此验证国密签名，请使用离线核验命令 yiwang-verify license。"
        : "无法获取发证公钥：" + e.message;
      return report;
    }
    var body;
    try {
      body = await L.openNote(noteText, key);
    } catch (e) {
      report.verdict = e.code === "format" ? "format" : "signature";
      report.reason = e.message;
      return report;
    }
    try {
      report.note = parseBody(body);
    } catch (e) {
      report.verdict = "format";
      report.reason = e.message;
      return report;
    }
    report.checks.push({ ok: true, text: "签名有效（发证公钥 " + key.name + "）" });
    var note = report.note, today = todayInChina();
    report.inWindow = note.validFrom <= today && (note.validUntil === null || today <= note.validUntil);
    report.checks.push(report.inWindow
      ? { ok: true, text: "在有效期内（今天 " + today + "）" }
      : { ok: false, text: "不在有效期内（今天 " + today + "）" });
    try {
      report.status = await L.getOk(L.apiRoot() + "/licenses/status/" + encodeURIComponent(note.identifier));
      if (report.status.identifier !== note.identifier) throw fail("平台答复的证照标识与二维码不符");
    } catch (e) {
      report.status = null;
      report.verdict = "status-error";
      report.reason = "无法查询证照状态：" + e.message;
      report.checks.push({ ok: false, text: report.reason });
      return report;
    }
    var st = report.status;
    report.statusLabel = STATUS_LABELS[st.status] || st.status_label || st.status;
    report.checks.push({ ok: st.status === "valid", text: "当前状态：" + report.statusLabel + (st.since ? "（自 " + sinceText(st.since) + "）" : "") });
    report.proof = await proveStatus(note, st);
    report.checks.push(report.proof.ok
      ? { ok: true, text: "账本证明已验证（账本 " + report.proof.origin + " 第 " + report.proof.index + " 号记录）" }
      : { ok: false, pending: report.proof.pending, text: report.proof.text });
    if (st.status !== "valid") {
      report.verdict = "not-valid";
      report.reason = "该证照当前状态为“" + report.statusLabel + "”，不能作为有效证照使用。" +
        (st.superseded_by ? "已由新版本替代：" + st.superseded_by : "");
    }
    else if (!report.inWindow) report.verdict = "out-of-window";
    else if (!report.proof.ok) report.verdict = report.proof.pending ? "pending" : "proof-failed";
    else report.verdict = "valid";
    return report;
  }

  async function proveStatus(note, st) {
    if (st.ledger_entry_id === null || st.ledger_entry_id === undefined) {
      return { ok: false, text: "账本证明缺失：平台未给出该状态的账本记录" };
    }
    var r;
    try {
      r = await L.verifyEntry(st.ledger_entry_id);
    } catch (e) {
      if (e.code === "http-400") return { ok: false, pending: true, text: "账本证明待上链（通常几秒内完成），请稍后点击“重新核验状态”" };
      return { ok: false, text: "账本证明验证失败：" + e.message };
    }
    var p = r.leaf && r.leaf.payload;
    if (!p || typeof r.leaf.kind !== "string" || r.leaf.kind.indexOf("licenses.") !== 0) {
      return { ok: false, text: "账本证明验证失败：该账本记录不是证照状态事件" };
    }
    if (p.identifier !== note.identifier || p.status !== st.status || p.version !== note.version) {
      return { ok: false, text: "账本证明验证失败：账本记录的证照标识、状态或版本与查询结果不符" };
    }
    return { ok: true, index: r.index, origin: r.origin };
  }

  // --- the page ---------------------------------------------------------------------------

  var VERDICTS = {
    valid: ["ok", "✓ 证照有效：签名有效，状态有效，账本证明已验证"],
    signature: ["fail", "✕ 签名无效"],
    format: ["fail", "✕ 格式错误"],
    sm2: ["warn", "无法在浏览器中核验国密签名"],
    error: ["fail", "✕ 无法核验"],
    "status-error": ["fail", "✕ 签名有效，但无法确认当前状态"],
    "out-of-window": ["fail", "✕ 不在有效期内"],
    pending: ["warn", "状态有效，账本证明待上链"],
    "proof-failed": ["fail", "✕ 状态未能由账本证明"],
  };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fact(dl, term, value) {
    dl.appendChild(el("dt", "", term));
    dl.appendChild(el("dd", "", value));
  }

  function base64url(text) {
    var bytes = new TextEncoder().encode(text), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bytes = L.b64decode(b64);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  }

  /* No earlier result stays on screen while a new check runs. */
  function clear(root) {
    var panel = root.querySelector("[data-result]");
    var verdict = panel.querySelector(".license-verdict");
    panel.hidden = true;
    verdict.removeAttribute("data-verdict");
    verdict.textContent = "";
    root.querySelector("[data-recheck]").hidden = true;
  }

  function show(root, report, noteText) {
    var panel = root.querySelector("[data-result]");
    var verdict = panel.querySelector(".license-verdict");
    var kind = report.verdict === "not-valid"
      ? ["fail", "✕ " + report.statusLabel]
      : VERDICTS[report.verdict];
    verdict.className = "license-verdict license-verdict--" + kind[0];
    verdict.setAttribute("data-verdict", report.verdict);
    verdict.textContent = kind[1];
    if (report.reason) verdict.appendChild(el("span", "license-verdict__reason", report.reason));

    var checks = panel.querySelector("[data-checks]");
    checks.textContent = "";
    report.checks.forEach(function (c) {
      checks.appendChild(el("li", c.ok ? "license-check license-check--ok" : c.pending ? "license-check license-check--warn" : "license-check license-check--fail", c.text));
    });

    var dl = panel.querySelector("[data-facts]");
    dl.textContent = "";
    dl.hidden = !report.note;
    if (report.note) {
      var n = report.note, st = report.status;
      if (st) fact(dl, "证照类型", st.type_name);
      fact(dl, "证照类型代码", n.typeCode);
      fact(dl, "证照标识", n.identifier);
      fact(dl, "发证机关", st ? st.issuer_name + "（" + n.issuer + "）" : n.issuer);
      fact(dl, "有效期限", n.validFrom + " 至 " + (n.validUntil || "长期"));
      if (st) {
        fact(dl, "当前状态", report.statusLabel + (st.since ? "（自 " + sinceText(st.since) + "）" : ""));
        if (st.superseded_by) fact(dl, "替代证照", st.superseded_by);
      }
    }
    var share = panel.querySelector("[data-share]");
    share.hidden = !report.note;
    if (report.note) panel.querySelector("[data-share-link]").setAttribute("href", "#" + base64url(noteText));
    panel.hidden = false;
  }

  function init() {
    var root = document.querySelector("[data-license-verify]");
    if (!root) return;
    var form = root.querySelector("[data-verify-form]");
    var textarea = root.querySelector("[data-qr-text]");
    var progress = root.querySelector("[data-progress]");
    var recheck = root.querySelector("[data-recheck]");
    var keyUrl = root.getAttribute("data-key-url");
    var running = 0;

    if (!window.crypto || !crypto.subtle || !L) {
      progress.textContent = "此浏览器不支持 WebCrypto，无法在线核验，请使用下方的离线核验命令。";
      return;
    }

    async function run(focusResult) {
      var noteText = normalise(textarea.value);
      if (!noteText) {
        progress.textContent = "请先粘贴二维码内容、上传二维码照片或用摄像头扫码。";
        textarea.focus();
        return;
      }
      var mine = ++running;
      clear(root);
      progress.textContent = "正在浏览器中核验……";
      var report;
      try {
        report = await verify(noteText, keyUrl);
      } catch (e) {
        report = { verdict: "error", reason: e.message, checks: [] };
      }
      if (mine !== running) return; // a newer check started meanwhile
      show(root, report, noteText);
      progress.textContent = "核验完成。";
      recheck.hidden = !report.note;
      if (focusResult) root.querySelector("[data-result]").focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(true);
    });
    recheck.addEventListener("click", function () { run(true); });

    window.YiwangQr.init(root, function (text) {
      textarea.value = text;
      run(true);
    }, progress);

    function fromFragment() {
      var h = location.hash.slice(1);
      if (!h) return;
      try {
        textarea.value = fromBase64url(h);
      } catch (e) {
        progress.textContent = "核验链接中的二维码内容无法解码。";
        return;
      }
      run(false);
    }
    window.addEventListener("hashchange", fromFragment);
    fromFragment();
  }

  window.YiwangLicense = { mod3736: mod3736, parseBody: parseBody, verify: verify };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
