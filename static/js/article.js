// Counts the reader's view and shares with small POSTs, so the page itself stays cacheable.
(function () {
  "use strict";
  var share = document.querySelector(".share");
  if (!share) {
    return;
  }

  function post(url, counter) {
    if (!window.fetch) {
      return;
    }
    // The page's token tells the server the count comes from this page (articles/counters.py).
    var body = new URLSearchParams({ token: share.dataset.counterToken || "" });
    fetch(url, { method: "POST", credentials: "same-origin", keepalive: true, body: body })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        var element = document.querySelector(counter);
        if (data && element) {
          element.textContent = data.count;
        }
      })
      .catch(function () {});
  }

  post(share.dataset.viewUrl, "[data-view-count]");

  share.querySelectorAll("[data-share]").forEach(function (link) {
    link.addEventListener("click", function () {
      post(share.dataset.shareUrl, "[data-share-count]");
    });
  });

  var copy = share.querySelector("[data-copy-link]");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.dataset.copyLink).then(function () {
        copy.textContent = copy.dataset.copied || "Ссылка скопирована";
        post(share.dataset.shareUrl, "[data-share-count]");
      });
    });
  }
})();
