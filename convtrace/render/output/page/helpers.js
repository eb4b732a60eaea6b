/* The trace player: builds one frame at a time from the embedded trace data.
 *
 * The data (see data.py) holds the inputs as display text and one record per
 * step; this script only lays them out: it slices the window's taps out of the
 * image at the corner the record names and shows the record's own numbers.
 * Nothing here computes a value. Kinds of data: "conv2d" (records built
 * into grids), "text" (frames already drawn as text, e.g. the gradients) and
 * the other layers, "conv", "conv_transpose", "max_pool", "avg_pool" (records
 * holding their own windows; layerframes.js).
 *
 * build.py joins helpers.js, frames.js, layerframes.js and player.js, in that order, into one function body.
 */
  var data = JSON.parse(document.getElementById("trace-data").textContent);
  var frameBox = document.getElementById("frame");
  var MAX_ROWS = 16, MAX_COLS = 16, MAX_CHANNELS = 4;  // the grids show a window of this size around the taps
  var PAD = "\u00b7", EMPTY = ".";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function viewRange(total, start, length, limit) {
    // indices to show: all when they fit, else `limit` of them centred on [start, start + length)
    if (total <= limit) return [0, total];
    limit = Math.max(limit, length);
    var first = start - Math.floor((limit - length) / 2);
    first = Math.min(Math.max(first, 0), total - limit);
    return [first, first + limit];
  }

  function span(a, b) { return a === b ? String(a) : a + ".." + b; }
  function signed(t) { return t.charAt(0) === "-" ? "(" + t + ")" : t; }
  function shape(v) { return "(" + v.join(",") + ")"; }

