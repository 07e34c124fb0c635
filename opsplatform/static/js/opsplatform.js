// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Ask before destructive actions (forms marked data-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Select a freshly shown token so it can be copied at once.
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // Refuse an over-large file before uploading it for minutes (the server checks too).
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
      var file = input.files && input.files[0];
      var message = "";
      if (file && file.size > limit) {
        message = input.getAttribute("data-too-large-message") || "The file is too large.";
      }
      input.setCustomValidity(message);
      input.reportValidity();
    });
  });

  // Show that a long upload or report is under way.
  document.querySelectorAll("form[data-busy-label]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
        button.textContent = form.getAttribute("data-busy-label");
        button.setAttribute("aria-busy", "true");
      }
    });
  });

  // A table or chart wider than the screen scrolls sideways: let the keyboard reach it
  // (a named, focusable region), and only while it does scroll, so that no tab stop is
  // added where there is nothing to scroll.
  function nameOf(region) {
    var named = region.querySelector("caption, title") ||
      (region.closest("section") || document).querySelector("h2, h3");
    return named ? named.textContent.trim() : "";
  }
  function markScrollableRegions() {
    document.querySelectorAll(".table-wrap, .chart").forEach(function (region) {
      var scrolls = region.scrollWidth > region.clientWidth + 1;
      if (scrolls && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        region.setAttribute("role", "region");
        region.setAttribute("aria-label", nameOf(region));
        region.setAttribute("data-scroll-region", "");
      } else if (!scrolls && region.hasAttribute("data-scroll-region")) {
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) {
          region.removeAttribute(name);
        });
      }
    });
  }
  markScrollableRegions();
  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(markScrollableRegions, 100);
  });

  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
