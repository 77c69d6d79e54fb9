/*
 * Reading a license QR in the browser for license-verify.js (window.YiwangQr.init):
 * - a photo (input type=file, accept=image/*, capture): read with createImageBitmap, drawn on
 *   a canvas, decoded with the vendored jsQR; nothing is uploaded;
 * - the camera (getUserMedia, the button shown only where it exists): frames decoded until a
 *   QR is found; the stream is stopped then, on 停止扫码, and when the page is hidden.
 * The QR's bytes are UTF-8 (the note has an em dash): decoded from jsQR's binaryData.
 */
(function () {
  "use strict";
  var MAX_SIDE = 1600; // larger photos are scaled down: jsQR's time grows with the pixels
  var MAX_BYTES = 20 * 1024 * 1024;

  function decoder() {
    var j = window.jsQR;
    return j && typeof j.default === "function" ? j.default : j;
  }

  function textOf(code) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(code.binaryData));
    } catch (e) {
      return code.data;
    }
  }

  function scan(canvas, source, width, height) {
    var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
    var pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var code = decoder()(pixels.data, canvas.width, canvas.height, { inversionAttempts: "attemptBoth" });
    return code ? textOf(code) : null;
  }

  function init(root, onText, progress) {
    var canvas = document.createElement("canvas");
    var input = root.querySelector("[data-qr-image]");
    var startButton = root.querySelector("[data-camera-start]");
    var panel = root.querySelector("[data-camera-panel]");
    var video = root.querySelector("[data-camera-video]");
    var stopButton = root.querySelector("[data-camera-stop]");
    var stream = null;

    input.addEventListener("change", async function () {
      var file = input.files && input.files[0];
      if (!file) return;
      if (file.size > MAX_BYTES) {
        input.value = "";
        progress.textContent = "照片过大（超过 20 MB），请换一张较小的二维码照片。";
        return;
      }
      if (!decoder() || !window.createImageBitmap) {
        progress.textContent = "此浏览器无法识别图片中的二维码，请粘贴二维码内容。";
        return;
      }
      progress.textContent = "正在识别图片中的二维码……";
      var text = null;
      try {
        var bitmap = await createImageBitmap(file);
        text = scan(canvas, bitmap, bitmap.width, bitmap.height);
        bitmap.close();
      } catch (e) {
        progress.textContent = "无法读取该图片，请换一张清晰的二维码照片。";
        return;
      } finally {
        input.value = "";
      }
      if (text === null) {
        progress.textContent = "未能在图片中识别出二维码，请换一张更清晰、二维码完整的照片。";
        return;
      }
      onText(text);
    });

    var canCamera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && decoder());
    if (!canCamera) return;
    startButton.hidden = false;

    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.srcObject = null;
      panel.hidden = true;
      startButton.hidden = false;
    }

    function tick() {
      if (!stream) return;
      if (video.readyState >= 2 && video.videoWidth) {
        var text = scan(canvas, video, video.videoWidth, video.videoHeight);
        if (text !== null) {
          stop();
          startButton.focus();
          onText(text);
          return;
        }
      }
      requestAnimationFrame(tick);
    }

    startButton.addEventListener("click", async function () {
      progress.textContent = "正在打开摄像头……";
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch (e) {
        stream = null;
        progress.textContent = "无法使用摄像头（" + (e.name === "NotAllowedError" ? "未获授权" : "设备不可用") + "），请上传照片或粘贴二维码内容。";
        return;
      }
      video.srcObject = stream;
      panel.hidden = false;
      startButton.hidden = true;
      progress.textContent = "摄像头已打开，请将二维码对准画面。";
      stopButton.focus();
      try { await video.play(); } catch (e) { /* muted inline video plays; tick waits for frames */ }
      requestAnimationFrame(tick);
    });
    stopButton.addEventListener("click", function () {
      stop();
      progress.textContent = "已停止扫码。";
      startButton.focus();
    });
    document.addEventListener("visibilitychange", function () { if (document.hidden && stream) stop(); });
    window.addEventListener("pagehide", stop);
  }

  window.YiwangQr = { init: init };
})();
