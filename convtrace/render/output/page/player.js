/* The player: text frames (the gradients) and the controls (keys, buttons, slider, jump, play). */
  /* ---------------------------------------------------------------- text frames */

  function textFrame(i) {
    var f = data.frames[i], box = document.createDocumentFragment();
    box.appendChild(el("h2", "", f.label));
    box.appendChild(el("pre", "", f.text));
    return box;
  }

  function textFind(text) {
    var t = text.replace(/\s+/g, "");
    if (/^\d+$/.test(t)) {
      var n = Number(t);
      return n >= 1 && n <= data.frames.length ? n - 1 : "frames are numbered 1.." + data.frames.length;
    }
    for (var i = 0; i < data.frames.length; i++) {
      if ((data.frames[i].label + data.frames[i].text).replace(/\s+/g, "").indexOf(t) >= 0) return i;
    }
    return "no frame shows " + text;
  }

  /* ---------------------------------------------------------------- the player */

  var conv = data.kind === "conv2d";
  var count = conv || layerKind ? data.steps.length : data.frames.length;
  var build = conv ? convFrame : textFrame, find = conv ? convFind : textFind;
  if (layerKind) { build = layerFrame; find = layerFind; }  // the other layers (layerframes.js)
  var where = function (i) {
    if (layerKind) return layerWhere(i);
    if (!conv) return "frame " + (i + 1) + " of " + count;
    var s = record(i);
    return label(s) + " = " + s.value + "  \u00b7  " + (i + 1) + " of " + count + " in this page";
  };
  var current = 0, timer = null;
  var slider = document.getElementById("slider"), playButton = document.getElementById("play");

  function show(i) {
    if (!count) return;
    current = Math.max(0, Math.min(count - 1, i));
    while (frameBox.firstChild) frameBox.removeChild(frameBox.firstChild);
    frameBox.appendChild(build(current));
    slider.value = String(current);
    document.getElementById("where").textContent = where(current);
    if (current === count - 1 && timer !== null) pause();
  }

  function play() {
    if (current === count - 1) show(0);
    var delay = Number(document.getElementById("speed").value);
    timer = window.setInterval(function () { show(current + 1); }, delay);
    playButton.textContent = "\u23F8 pause";
  }

  function pause() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
    playButton.textContent = "\u25B6 play";
  }

  function toggle() { if (timer === null) play(); else pause(); }

  document.getElementById("title").textContent = data.title;
  document.title = data.title;
  if (data.description) document.getElementById("description").textContent = data.description;
  if (data.note) { var note = document.getElementById("note"); note.textContent = data.note; note.hidden = false; }
  if (data.summary) {
    document.getElementById("summary").textContent = data.summary;
    document.getElementById("summary-box").hidden = false;
  }
  slider.max = String(Math.max(count - 1, 0));
  slider.addEventListener("input", function () { pause(); show(Number(slider.value)); });
  document.getElementById("first").addEventListener("click", function () { pause(); show(0); });
  document.getElementById("prev").addEventListener("click", function () { pause(); show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { pause(); show(current + 1); });
  document.getElementById("last").addEventListener("click", function () { pause(); show(count - 1); });
  playButton.addEventListener("click", toggle);
  document.getElementById("speed").addEventListener("change", function () { if (timer !== null) { pause(); play(); } });
  document.getElementById("jump").addEventListener("submit", function (event) {
    event.preventDefault();
    var message = document.getElementById("jump-message"), found = find(document.getElementById("jump-to").value);
    if (typeof found === "number") { pause(); show(found); message.textContent = ""; }
    else message.textContent = found;
  });
  document.addEventListener("keydown", function (event) {
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" && event.target.type === "text") return;  // typing a position, not stepping
    if (tag === "SELECT") return;
    var keys = { ArrowRight: 1, ArrowLeft: -1 };
    if (event.key in keys) { pause(); show(current + keys[event.key]); }
    else if (event.key === "Home") { pause(); show(0); }
    else if (event.key === "End") { pause(); show(count - 1); }
    else if (event.key === "p" || event.key === "P") toggle();
    else return;
    event.preventDefault();
  });
  if (!count) frameBox.appendChild(el("p", "note", "This trace has no frames to show."));
  show(0);
