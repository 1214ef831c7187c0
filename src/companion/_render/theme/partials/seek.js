(function () {
  "use strict";
  var audio = document.getElementById("player");
  if (!audio) { return; }
  function secondsOf(href) {
    var match = /^#t=(\d+(?:\.\d+)?)$/.exec(href || "");
    return match ? parseFloat(match[1]) : null;
  }
  function seek(seconds, play) {
    function go() {
      audio.currentTime = seconds;
      if (play) {
        var started = audio.play();
        if (started && started.catch) { started.catch(function () { return null; }); }
      }
    }
    if (audio.readyState > 0) { go(); return; }
    audio.preload = "metadata";
    audio.addEventListener("loadedmetadata", go, { once: true });
    audio.load();
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    var link = target && target.closest ? target.closest('a[href^="#t="]') : null;
    if (!link) { return; }
    var seconds = secondsOf(link.getAttribute("href"));
    if (seconds === null) { return; }
    event.preventDefault();
    seek(seconds, true);
    if (window.history && history.replaceState) {
      history.replaceState(null, "", link.getAttribute("href"));
    }
  });
  var initial = secondsOf(window.location.hash);
  if (initial !== null) { seek(initial, false); }
}());
