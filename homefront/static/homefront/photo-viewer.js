// Tap a thumbnail to see the photo large; swipe (or the arrows) to the day's others.
// Without this file each thumbnail is a link to the full-size photo.
"use strict";

(() => {
  let dialog = null;
  let group = [];
  let index = 0;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "photo-viewer";
    dialog.innerHTML =
      '<figure><img alt=""><figcaption></figcaption></figure>' +
      '<button type="button" class="viewer-prev outline" aria-label="Previous photo">‹</button>' +
      '<button type="button" class="viewer-next outline" aria-label="Next photo">›</button>' +
      '<button type="button" class="viewer-close outline" aria-label="Close">×</button>';
    document.body.append(dialog);
    dialog.querySelector(".viewer-prev").addEventListener("click", () => show(index - 1));
    dialog.querySelector(".viewer-next").addEventListener("click", () => show(index + 1));
    dialog.querySelector(".viewer-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
    let startX = null;
    dialog.addEventListener("pointerdown", (event) => {
      startX = event.clientX;
    });
    dialog.addEventListener("pointerup", (event) => {
      if (startX === null) return;
      const moved = event.clientX - startX;
      startX = null;
      if (Math.abs(moved) > 40) show(index + (moved < 0 ? 1 : -1));
    });
    dialog.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight") show(index + 1);
      if (event.key === "ArrowLeft") show(index - 1);
    });
  }

  function show(at) {
    if (!group.length) return;
    index = (at + group.length) % group.length;
    const link = group[index];
    const image = dialog.querySelector("img");
    image.src = link.href;
    const thumb = link.querySelector("img");
    image.alt = thumb ? thumb.alt : "";
    dialog.querySelector("figcaption").textContent = `${link.dataset.caption || ""} (${index + 1}/${group.length})`;
    dialog.querySelector(".viewer-prev").hidden = group.length < 2;
    dialog.querySelector(".viewer-next").hidden = group.length < 2;
  }

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.photo-thumb") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    if (!dialog) build();
    const scope = link.closest("#kids-today, main") || document;
    group = Array.from(scope.querySelectorAll("a.photo-thumb")).filter((other) => other.dataset.day === link.dataset.day);
    show(group.indexOf(link));
    if (!dialog.open) dialog.showModal();
  });
})();
