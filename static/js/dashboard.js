// Session page: say so when live polling fails (the last good content stays on screen).
document.addEventListener("htmx:responseError", function () {
  var banner = document.getElementById("live-paused");
  if (banner) { banner.hidden = false; }
});
document.addEventListener("htmx:sendError", function () {
  var banner = document.getElementById("live-paused");
  if (banner) { banner.hidden = false; }
});
document.addEventListener("htmx:afterSwap", function () {
  var banner = document.getElementById("live-paused");
  if (banner) { banner.hidden = true; }
});
// Printing: open collapsed sections (citations) so the printed record holds what the page holds.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details:not([open])").forEach(function (section) {
    section.setAttribute("data-print-opened", "");
    section.open = true;
  });
});
window.addEventListener("afterprint", function () {
  document.querySelectorAll("details[data-print-opened]").forEach(function (section) {
    section.removeAttribute("data-print-opened");
    section.open = false;
  });
});
