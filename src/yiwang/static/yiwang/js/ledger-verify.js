/*
 * Verify a ledger entry in the browser, without trusting the server's word:
 * 1. fetch the entry's leaf text, its RFC 9162 inclusion proof and the log's public key;
 * 2. hash the leaf (SHA-256 of 0x00 || leaf), walk the proof to a root (RFC 9162 §2.1.3.2);
 * 3. check the signed checkpoint's Ed25519 signature (C2SP signed note) with WebCrypto;
 * 4. compare the computed root with the signed root.
 * Any mismatch is reported; nothing here relies on the server saying "ok".
 */
(function () {
  "use strict";
  var enc = new TextEncoder();

  function b64decode(s) {
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function concat() {
    var total = 0, i, parts = arguments;
    for (i = 0; i < parts.length; i++) total += parts[i].length;
    var out = new Uint8Array(total), at = 0;
    for (i = 0; i < parts.length; i++) { out.set(parts[i], at); at += parts[i].length; }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  async function nodeHash(left, right) {
    return sha256(concat(new Uint8Array([1]), left, right));
  }

  async function rootFromInclusion(index, size, leafHash, proof) {
    if (index >= size) throw new Error("叶子序号超出树的大小");
    var fn = index, sn = size - 1, r = leafHash;
    for (var i = 0; i < proof.length; i++) {
      var p = proof[i];
      if (sn === 0) throw new Error("证明路径过长");
      if ((fn & 1) === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if ((fn & 1) === 0) {
          while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("证明路径过短");
    return r;
  }

  function parseVkey(vkey) {
    // <name>+<hex id>+<base64>: the base64 part may itself contain "+".
    var t = vkey.trim(), i = t.indexOf("+"), j = t.indexOf("+", i + 1);
    if (i < 0 || j < 0) throw new Error("公钥格式不正确");
    var parts = [t.slice(0, i), t.slice(i + 1, j), t.slice(j + 1)];
    var raw = b64decode(parts[2]);
    if (raw[0] !== 1 || raw.length !== 33) throw new Error("浏览器只能验证 Ed25519 签名；国密（SM2）请使用 yiwang-verify 离线验证");
    return { name: parts[0], keyId: parseInt(parts[1], 16), publicKey: raw.slice(1) };
  }

  async function verifyCheckpoint(note, key) {
    var split = note.indexOf("\n\n");
    if (split < 0) throw new Error("检查点格式不正确");
    var text = note.slice(0, split + 1);
    var sigLines = note.slice(split + 2).split("\n").filter(function (l) { return l.length; });
    var cryptoKey = await crypto.subtle.importKey("raw", key.publicKey, { name: "Ed25519" }, false, ["verify"]);
    var verified = false;
    for (var i = 0; i < sigLines.length; i++) {
      var m = /^\u2014 (\S+) (\S+)$/.exec(sigLines[i]);
      if (!m || m[1] !== key.name) continue;
      var sig = b64decode(m[2]);
      var id = ((sig[0] << 24) >>> 0) + (sig[1] << 16) + (sig[2] << 8) + sig[3];
      if (id !== key.keyId) continue;
      verified = await crypto.subtle.verify({ name: "Ed25519" }, cryptoKey, sig.slice(4), enc.encode(text));
      if (verified) break;
    }
    if (!verified) throw new Error("检查点签名无效");
    var lines = text.split("\n");
    return { origin: lines[0], size: parseInt(lines[1], 10), root: b64decode(lines[2]) };
  }

  async function verifyEntry(entryId) {
    var base = document.body.getAttribute("data-api-root") || "/api/v1";
    var responses = await Promise.all([
      fetch(base + "/ledger/entries/" + entryId, { credentials: "same-origin" }),
      fetch(base + "/ledger/entries/" + entryId + "/proof", { credentials: "same-origin" }),
      fetch(base + "/ledger/key", { credentials: "same-origin" }),
    ]);
    for (var i = 0; i < responses.length; i++) {
      if (!responses[i].ok) {
        var detail = "";
        try { detail = (await responses[i].json()).detail; } catch (e) { detail = responses[i].statusText; }
        throw new Error(detail || "无法获取证明");
      }
    }
    var entry = await responses[0].json(), proof = await responses[1].json(), vkey = await responses[2].text();
    var leafHash = await sha256(concat(new Uint8Array([0]), enc.encode(entry.leaf)));
    if (!equal(leafHash, b64decode(proof.leaf_hash))) throw new Error("条目内容与其哈希不符");
    var checkpoint = await verifyCheckpoint(proof.checkpoint, parseVkey(vkey));
    if (checkpoint.size !== proof.tree_size) throw new Error("证明与检查点的树大小不一致");
    var root = await rootFromInclusion(proof.leaf_index, proof.tree_size, leafHash, proof.proof.map(b64decode));
    if (!equal(root, checkpoint.root)) throw new Error("由证明计算的根哈希与签名检查点不一致");
    return { index: proof.leaf_index, size: proof.tree_size, origin: checkpoint.origin };
  }

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
    if (!window.crypto || !crypto.subtle) { setResult(out, false, "此浏览器不支持 WebCrypto，请使用 yiwang-verify 离线验证"); return; }
    out.textContent = "正在浏览器中验证……";
    verifyEntry(button.getAttribute("data-verify-entry")).then(function (r) {
      setResult(out, true, "✓ 验证通过：该记录是账本 " + r.origin + " 的第 " + r.index + " 号叶子，包含在已签名的检查点（树大小 " + r.size + "）中。");
    }, function (err) {
      setResult(out, false, "✗ 验证失败：" + err.message);
    });
  });
})();
