// Turns a story's photo gallery (a plain list of figures without JavaScript) into a one-at-a-time viewer:
// «Назад»/«Вперёд» buttons, the arrow keys while the gallery has focus, and a counter read out politely.
(function () {
  "use strict";
  document.querySelectorAll("[data-gallery]").forEach(function (gallery) {
    var items = gallery.querySelectorAll(".gallery__item");
    var controls = gallery.querySelector(".gallery__controls");
    if (items.length < 2 || !controls) {
      return;
    }
    var counter = controls.querySelector(".gallery__counter");
    var text = gallery.dataset.counterText || "{current} / {total}";
    var current = 0;

    function show(index) {
      current = (index + items.length) % items.length;
      items.forEach(function (item, position) {
        item.hidden = position !== current;
      });
      counter.textContent = text.replace("{current}", current + 1).replace("{total}", items.length);
      // The neighbours load now, so that the next photo is there when asked for rather than after a blank moment.
      [current + 1, current - 1].forEach(function (position) {
        var image = items[(position + items.length) % items.length].querySelector("img");
        if (image) {
          image.loading = "eager";
        }
      });
    }

    controls.querySelector("[data-gallery-previous]").addEventListener("click", function () {
      show(current - 1);
    });
    controls.querySelector("[data-gallery-next]").addEventListener("click", function () {
      show(current + 1);
    });
    gallery.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") {
        return;
      }
      event.preventDefault();
      var wasOnPhoto = gallery.querySelector(".gallery__open:focus");
      show(current + (event.key === "ArrowRight" ? 1 : -1));
      if (wasOnPhoto) {
        // The link that had focus is hidden now: focus the one shown, so focus stays visible.
        items[current].querySelector(".gallery__open").focus();
      }
    });
    gallery.classList.add("gallery--viewer");
    controls.hidden = false;
    show(0);
  });
})();
