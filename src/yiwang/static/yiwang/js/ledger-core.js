/*
 * Shared browser checks of the platform's signed data, without trusting the server's word
 * (used by ledger-verify.js and license-verify.js), exposed as window.YiwangLedger:
 * - parseVkey(vkey): a C2SP signed-note verifier key, its key id checked (Ed25519 only: a
 *   国密 SM2 key fails with err.code === "sm2");
 * - openNote(text, key): verify a signed note's signature with WebCrypto, return its body;
 * - verifyCheckpoint(note, key): a signed tlog checkpoint -> {origin, size, root};
 * - rootFromInclusion(index, size, leafHash, proof): RFC 9162 §2.1.3.2;
 * - verifyEntry(entryId): fetch a ledger entry, its inclusion proof and the log key, and
 *   check the leaf hash, the checkpoint signature and the root; returns the parsed leaf.
 * Any mismatch throws an Error with a Chinese message.
 */
(function () {
  "use strict";
  var enc = new TextEncoder();
  var SM2_KEY_TYPE = [0xff].concat(Array.prototype.map.call("yiwang/sm2-sm3", function (c) { return c.charCodeAt(0); }));

  function fail(message, code) {
    var err = new Error(message);
    if (code) err.code = code;
    return err;
  }
  function b64decode(s) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw fail("Base64 编码不正确");
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
  function startsWith(bytes, prefix) {
    if (bytes.length < prefix.length) return false;
    for (var i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
    return true;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  async function nodeHash(left, right) {
    return sha256(concat(new Uint8Array([1]), left, right));
  }
  function uint32(b) {
    return ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
  }

  async function rootFromInclusion(index, size, leafHash, proof) {
    if (index >= size) throw fail("叶子序号超出树的大小");
    var fn = index, sn = size - 1, r = leafHash;
    for (var i = 0; i < proof.length; i++) {
      var p = proof[i];
      if (sn === 0) throw fail("证明路径过长");
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
    if (sn !== 0) throw fail("证明路径过短");
    return r;
  }

  /* <name>+<8 hex key id>+<base64(key type || public key)>; the base64 part may contain "+".
     The key id must be SHA-256(name || "\n" || key type || public key)[:4]. */
  async function parseVkey(vkey) {
    var t = vkey.trim(), i = t.indexOf("+"), j = t.indexOf("+", i + 1);
    if (i <= 0 || j < 0 || !/^[0-9a-fA-F]{8}$/.test(t.slice(i + 1, j))) throw fail("公钥格式不正确");
    var name = t.slice(0, i), keyId = parseInt(t.slice(i + 1, j), 16), raw;
    try { raw = b64decode(t.slice(j + 1)); } catch (e) { throw fail("公钥格式不正确"); }
    var digest = await sha256(concat(enc.encode(name + "\n"), raw));
    if (uint32(digest) !== keyId) throw fail("公钥的密钥标识与密钥不符");
    if (startsWith(raw, SM2_KEY_TYPE)) {
      throw fail("该公钥为国密 SM2 公钥，浏览器无法验证国密签名，请使用 yiwang-verify 离线验证", "sm2");
    }
    if (raw[0] !== 1 || raw.length !== 33) throw fail("浏览器只能验证 Ed25519 签名；国密（SM2）请使用 yiwang-verify 离线验证", "sm2");
    return { name: name, keyId: keyId, publicKey: raw.slice(1), vkey: t };
  }

  /* A C2SP signed note: body, a blank line, "— <name> <base64(key id || signature)>" lines.
     Signatures of other keys are ignored; the key's own must be there and verify. */
  async function openNote(note, key) {
    if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw fail("含有不允许的控制字符", "format");
    var split = note.lastIndexOf("\n\n");
    if (split < 0) throw fail("缺少签名前的空行", "format");
    var text = note.slice(0, split + 1), block = note.slice(split + 2);
    if (!block || block.charAt(block.length - 1) !== "\n") throw fail("签名行缺失或不以换行结束", "format");
    var lines = block.slice(0, -1).split("\n"), cryptoKey = null, verified = false;
    for (var i = 0; i < lines.length; i++) {
      var m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/=]+)$/.exec(lines[i]);
      if (!m) throw fail("第 " + (i + 1) + " 个签名行格式不正确", "format");
      var sig;
      try { sig = b64decode(m[2]); } catch (e) { throw fail("第 " + (i + 1) + " 个签名行格式不正确", "format"); }
      if (sig.length < 5 || m[1] !== key.name || uint32(sig) !== key.keyId) continue;
      if (!cryptoKey) cryptoKey = await crypto.subtle.importKey("raw", key.publicKey, { name: "Ed25519" }, false, ["verify"]);
      if (!(await crypto.subtle.verify({ name: "Ed25519" }, cryptoKey, sig.slice(4), enc.encode(text)))) {
        throw fail("签名与内容不符（内容可能被改动）", "signature");
      }
      verified = true;
    }
    if (!verified) throw fail("没有公钥 " + key.name + " 的签名", "signature");
    return text;
  }

  async function verifyCheckpoint(note, key) {
    var text;
    try { text = await openNote(note, key); } catch (e) { throw fail("检查点签名无效"); }
    var lines = text.split("\n");
    if (lines.length < 4 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) throw fail("检查点格式不正确");
    return { origin: lines[0], size: parseInt(lines[1], 10), root: b64decode(lines[2]) };
  }

  async function getOk(url, as) {
    var response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) {
      var detail = "";
      try { detail = (await response.json()).detail; } catch (e) { detail = response.statusText; }
      throw fail(detail || "无法获取证明", "http-" + response.status);
    }
    return as === "text" ? response.text() : response.json();
  }

  function apiRoot() {
    return document.body.getAttribute("data-api-root") || "/api/v1";
  }

  async function verifyEntry(entryId) {
    var base = apiRoot();
    var answers = await Promise.all([
      getOk(base + "/ledger/entries/" + entryId),
      getOk(base + "/ledger/entries/" + entryId + "/proof"),
      getOk(base + "/ledger/key", "text"),
    ]);
    var entry = answers[0], proof = answers[1], vkey = answers[2];
    var leafHash = await sha256(concat(new Uint8Array([0]), enc.encode(entry.leaf)));
    if (!equal(leafHash, b64decode(proof.leaf_hash))) throw fail("条目内容与其哈希不符");
    var checkpoint = await verifyCheckpoint(proof.checkpoint, await parseVkey(vkey));
    if (checkpoint.size !== proof.tree_size) throw fail("证明与检查点的树大小不一致");
    var root = await rootFromInclusion(proof.leaf_index, proof.tree_size, leafHash, proof.proof.map(b64decode));
    if (!equal(root, checkpoint.root)) throw fail("由证明计算的根哈希与签名检查点不一致");
    return { index: proof.leaf_index, size: proof.tree_size, origin: checkpoint.origin, leaf: JSON.parse(entry.leaf) };
  }

  window.YiwangLedger = {
    apiRoot: apiRoot,
    b64decode: b64decode,
    getOk: getOk,
    openNote: openNote,
    parseVkey: parseVkey,
    rootFromInclusion: rootFromInclusion,
    sha256: sha256,
    verifyCheckpoint: verifyCheckpoint,
    verifyEntry: verifyEntry,
  };
})();
