/* companion's page script: the player, the transcript, facades, copy and share.
   Plain JavaScript, no framework; published minified as assets/player.js. Without it
   the page still works: a native <audio controls>, #t= chapter links, plain links
   to YouTube and Spotify. Its words come from the page (data-* attributes). */
(function () {
  "use strict";
  var d = document;
  function one(sel, root) { return (root || d).querySelector(sel); }
  function all(sel, root) { return Array.prototype.slice.call((root || d).querySelectorAll(sel)); }
  function noop() { return null; }
  function secondsOf(href) {
    var m = /#t=(\d+(?:\.\d+)?)$/.exec(href || "");
    return m ? parseFloat(m[1]) : null;
  }
  function clock(s) {
    s = Math.max(0, Math.floor(s || 0));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
    return (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (x < 10 ? "0" : "") + x;
  }
  function tell(box, text) {
    if (!box) { return; }
    box.textContent = "";
    setTimeout(function () { box.textContent = text; }, 60);
  }
  function copy(text, box, done) {
    var clip = navigator.clipboard;
    var job = clip && clip.writeText ? clip.writeText(text) : Promise.reject(new Error("no clipboard"));
    job.then(function () { tell(box, done); }, function () { tell(box, text); });
  }

  /* YouTube and Spotify: nothing of theirs loads until the listener clicks. */
  all("a.facade[data-embed]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      var f = d.createElement("iframe");
      f.src = a.getAttribute("data-embed");
      f.title = a.getAttribute("data-title") || "";
      f.allow = "autoplay; clipboard-write; encrypted-media; fullscreen; picture-in-picture";
      f.setAttribute("allowfullscreen", "");
      f.className = "embed " + (a.getAttribute("data-height") ? "short" : "wide");
      a.parentNode.replaceChild(f, a);
      f.focus();
    });
  });

  all("[data-copy]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      copy(a.getAttribute("data-copy"), one(".status", a.closest("section")),
           a.getAttribute("data-copied"));
    });
  });

  var audio = d.getElementById("player");
  var box = audio && audio.closest(".player");
  var ui = box && one(".controls", box);
  if (!ui) { return; }
  var play = one(".play", ui), range = one(".seek", ui), speed = one(".speed", ui);
  var elapsed = one(".elapsed", ui), total = one(".total", ui), now = one(".chapter-now", ui);
  var say = one(".status", box), given = parseFloat(box.getAttribute("data-duration")) || 0;
  var digits = box.getAttribute("data-digits") || "";  /* the page's own, when not 0-9 */
  function local(text) {  /* digits as the page writes them */
    return String(text).replace(/[0-9]/g, function (c) { return digits ? digits.charAt(+c) : c; });
  }
  function time(s) { return local(clock(s)); }
  var chapters = all(".chapter-list a").map(function (a) {
    var title = one(".chapter-title", a);
    return { at: secondsOf(a.getAttribute("href")), el: a, title: title ? title.textContent : "" };
  });
  var cues = all(".cues p").map(function (p) {
    var a = one("a", p);
    return { at: secondsOf(a && a.getAttribute("href")), end: parseFloat(p.getAttribute("data-end")), el: p };
  });
  var cueBox = one(".cues"), search = one(".transcript-search"), query = one("#transcript-query");
  var pending = null, dragging = false, started = false, scrolled = 0;
  var shown = { chapter: null, cue: null };

  audio.controls = false;
  ui.hidden = false;
  box.classList.add("enhanced");
  if (search) { search.hidden = false; }

  function length() { return isFinite(audio.duration) && audio.duration > 0 ? audio.duration : given; }
  function position() { return pending !== null ? pending : audio.currentTime; }

  function seek(t, start) {
    t = Math.max(0, Math.min(t, length() || t));
    function go() {
      pending = null;
      audio.currentTime = t;
      if (start) { var p = audio.play(); if (p && p.catch) { p.catch(noop); } }
      update();
    }
    if (audio.readyState > 0) { go(); return; }
    pending = t;
    audio.preload = "metadata";
    audio.addEventListener("loadedmetadata", go, { once: true });
    audio.load();
    update();
  }

  function toggle() {
    if (audio.paused) {
      var p = audio.play();
      if (p && p.catch) { p.catch(noop); }
    } else {
      audio.pause();
    }
  }

  function mark(list, t, key, cls) {
    var found = null;
    list.forEach(function (item) {
      if (item.at !== null && item.at <= t + 0.25 && (isNaN(item.end || NaN) || t < item.end)) { found = item; }
    });
    if (found === shown[key]) { return null; }
    if (shown[key]) { shown[key].el.classList.remove(cls); shown[key].el.removeAttribute("aria-current"); }
    if (found) { found.el.classList.add(cls); found.el.setAttribute("aria-current", "true"); }
    shown[key] = found;
    return found || {};
  }

  function update() {
    var t = position(), len = length();
    elapsed.textContent = time(t);
    total.textContent = time(len);
    range.max = len || 1;
    if (!dragging) { range.value = t; }
    range.setAttribute("aria-valuetext", time(t) + " / " + time(len));
    var chapter = mark(chapters, t, "chapter", "now");
    if (chapter) { now.textContent = chapter.title || ""; if (started) { session(chapter.title); } }
    var cue = mark(cues, t, "cue", "now");
    if (cue && cue.el && cueBox && Date.now() - scrolled > 4000 && !(query && query.value)) {
      cueBox.scrollTop = cue.el.offsetTop - cueBox.clientHeight / 3;
    }
  }

  function marks() {
    var len = length(), rail = one(".marks", ui);
    if (!len || !chapters.length) { return; }
    if (!rail) { rail = d.createElement("span"); rail.className = "marks"; rail.setAttribute("aria-hidden", "true"); ui.insertBefore(rail, range.nextSibling); }
    rail.textContent = "";
    chapters.forEach(function (c) {
      if (!c.at) { return; }
      var i = d.createElement("i");
      i.style.left = Math.min(100, 100 * c.at / len) + "%";
      rail.appendChild(i);
    });
  }

  function playing() {
    var on = !audio.paused;
    box.classList.toggle("playing", on);
    play.setAttribute("aria-label", play.getAttribute(on ? "data-pause" : "data-play"));
    if (on && !started) { started = true; session(shown.chapter && shown.chapter.title); }
  }

  /* The Media Session API: what a lock screen shows (from the first play on, so its
     artwork is not fetched before), and its buttons. */
  var media = navigator.mediaSession, art = box.getAttribute("data-art");
  function session(chapter) {
    if (!media || typeof MediaMetadata === "undefined") { return; }
    var show = box.getAttribute("data-show");
    media.metadata = new MediaMetadata({
      title: box.getAttribute("data-title"), artist: chapter || show, album: show,
      artwork: art ? [{ src: new URL(art, location.href).href }] : []
    });
  }
  function chapterBy(step) {
    var t = position(), list = chapters.filter(function (c) { return c.at !== null; });
    var at = 0;
    list.forEach(function (c, n) { if (c.at <= t + 0.25) { at = n; } });
    if (step < 0 && t - list[at].at > 3) { step = 0; }
    var to = list[Math.max(0, Math.min(list.length - 1, at + step))];
    if (to) { seek(to.at, !audio.paused); }
  }
  if (media) {
    [["play", toggle], ["pause", toggle],
     ["seekbackward", function (e) { seek(position() - (e.seekOffset || 15), !audio.paused); }],
     ["seekforward", function (e) { seek(position() + (e.seekOffset || 30), !audio.paused); }],
     ["seekto", function (e) { seek(e.seekTime, !audio.paused); }],
     ["previoustrack", function () { chapterBy(-1); }],
     ["nexttrack", function () { chapterBy(1); }]].forEach(function (h) {
      try { media.setActionHandler(h[0], chapters.length || h[0].indexOf("track") < 0 ? h[1] : null); } catch (e) { noop(); }
    });
  }

  audio.addEventListener("timeupdate", function () {
    update();
    if (media && media.setPositionState && length()) {
      try { media.setPositionState({ duration: length(), playbackRate: audio.playbackRate, position: Math.min(audio.currentTime, length()) }); } catch (e) { noop(); }
    }
  });
  audio.addEventListener("loadedmetadata", function () { update(); marks(); });
  audio.addEventListener("play", playing);
  audio.addEventListener("pause", playing);
  audio.addEventListener("ended", playing);

  play.addEventListener("click", toggle);
  all(".skip", ui).forEach(function (b) {
    b.addEventListener("click", function () {
      seek(position() + parseFloat(b.getAttribute("data-skip")), !audio.paused);
    });
  });
  speed.addEventListener("change", function () {
    audio.playbackRate = audio.defaultPlaybackRate = parseFloat(speed.value) || 1;
  });
  range.addEventListener("input", function () { dragging = true; elapsed.textContent = time(range.value); });
  range.addEventListener("change", function () { dragging = false; seek(parseFloat(range.value), !audio.paused); });
  range.addEventListener("keydown", function (e) {
    var step = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -30, PageUp: 30 }[e.key];
    if (step) { e.preventDefault(); seek(position() + step, !audio.paused); }
  });
  one(".share", ui).addEventListener("click", function () {
    var url = box.getAttribute("data-share") + "#t=" + Math.floor(position());
    if (navigator.share) {
      navigator.share({ title: d.title, url: url }).catch(noop);
    } else {
      copy(url, say, this.getAttribute("data-copied"));
    }
  });

  /* Keyboard: space plays or pauses, arrows skip 5 s, wherever the focus is not a control. */
  d.addEventListener("keydown", function (e) {
    var target = e.target, tag = target && target.tagName;
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|SELECT|TEXTAREA|BUTTON|A|AUDIO|IFRAME)$/.test(tag) || target.isContentEditable) { return; }
    var step = { ArrowLeft: -5, ArrowRight: 5 }[e.key];
    if (e.key === " " || e.key === "k") { e.preventDefault(); toggle(); } else if (step) { e.preventDefault(); seek(position() + step, !audio.paused); }
  });

  /* #t= links (chapters, transcript lines) seek instead of jumping; a line seeks too. */
  d.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest('a[href^="#t="], .cues p');
    if (!link) { return; }
    var seconds = secondsOf(link.getAttribute("href") || (one("a", link) || {}).getAttribute("href"));
    if (seconds === null) { return; }
    e.preventDefault();
    seek(seconds, true);
    if (history.replaceState) { history.replaceState(null, "", "#t=" + seconds); }
  });

  if (cueBox) {
    ["wheel", "touchmove", "keydown"].forEach(function (name) {
      cueBox.addEventListener(name, function () { scrolled = Date.now(); }, { passive: true });
    });
  }
  if (query) {
    var found = one(".found", search);
    query.addEventListener("input", function () {
      var q = query.value.trim().toLocaleLowerCase(), n = 0;
      cues.forEach(function (c) {
        var hit = !q || c.el.textContent.toLocaleLowerCase().indexOf(q) >= 0;
        c.el.hidden = !hit;
        n += hit ? 1 : 0;
      });
      found.textContent = q ? found.getAttribute("data-found").replace("%d", local(n)) : "";
    });
  }

  update();
  marks();
  playing();
  var start = secondsOf(location.hash);
  if (start !== null) { seek(start, false); }
}());
