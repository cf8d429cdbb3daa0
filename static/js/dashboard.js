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
