// Short inline code (an option such as --shutdown-timeout, a setting such as
// GIGQ["POLLING_INTERVAL"]) stays on one line instead of breaking at a hyphen or in the
// middle of a word. Long code (signatures in tables) still wraps, so tables keep their
// other columns' room and fit the page. Without JavaScript, everything wraps.
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset :not(pre) > code").forEach(function (code) {
    if (code.textContent.length <= 32) {
      code.classList.add("gigq-nowrap");
    }
  });
});
