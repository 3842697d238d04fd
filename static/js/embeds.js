// Loads an embed's frame from its provider only when the reader presses «Загрузить» (articles/embeds.py): until
// then the page makes no request to the provider. Without JavaScript the placeholder's link leads to the original.
(function () {
  "use strict";
  var SANDBOX = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-presentation";

  document.querySelectorAll(".embed[data-embed-frame]").forEach(function (embed) {
    var load = embed.querySelector(".embed__load");
    if (!load) {
      return;
    }
    load.hidden = false;
    load.querySelector("button").addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.className = "embed__frame";
      frame.title = embed.dataset.embedTitle || "";
      frame.setAttribute("sandbox", SANDBOX);
      frame.setAttribute("allow", "encrypted-media; fullscreen; picture-in-picture");
      frame.setAttribute("allowfullscreen", "");
      frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      frame.src = embed.dataset.embedFrame;
      embed.replaceChild(frame, load);
      frame.focus();  // the button is gone: keyboard users go on from the frame
    });
  });
})();
