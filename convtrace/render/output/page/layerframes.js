/* The frames of every layer but plain 2-D convolution (see layer_data.py); part of the page script.
 *
 * Kinds "conv" (grouped, 1-D, 3-D), "conv_transpose", "max_pool" and "avg_pool". Each record holds
 * the window it read as cell texts, already marked ('·' a zero the loop added, '[v]' the maximum),
 * so this only lays the cells out: dims 1 as one row, dims 2 as a grid, dims 3 as depth slices
 * side by side (d=0, d=1, ...). Nothing here computes a value.
 */
  /* ---------------------------------------------------------------- layer frames */

  var LAYER_READS = { conv: "the padded input", conv_transpose: "the zero-inserted, padded input" };
  var layerKind = data.kind === "conv" || data.kind === "conv_transpose" || data.kind === "max_pool" ||
    data.kind === "avg_pool";

  if (layerKind) {  // the footer's marks, as these frames use them
    document.querySelector("footer").textContent = "Keys: Right/Left arrow step, Home/End first/last, p play/pause. " +
      "Marks are in the text: " + PAD + " a zero the loop added (padding" +
      (data.kind === "conv_transpose" ? ", or a zero the stride inserted" : "") + ")" +
      (data.kind === "max_pool" ? ", [ ] the window's first maximum" : "") + ".";
  }

  function layerLabel(s) { return "out[" + [s.n, s.k].concat(s.at).join(",") + "]"; }

  function layerWhere(i) {
    var s = data.steps[i];
    return layerLabel(s) + " = " + s.value + "  \u00b7  " + (i + 1) + " of " + data.steps.length + " in this page";
  }

  function cellTable(rows) {
    // rows of cell texts -> a table; '·' cells are added zeros, '[v]' the marked tap
    var table = el("table", "grid cells");
    rows.forEach(function (row) {
      var tr = el("tr");
      row.forEach(function (t) {
        var cls = t === PAD ? "pad" : (t.charAt(0) === "[" ? "tap" : "");
        tr.appendChild(el("td", cls, t));
      });
      table.appendChild(tr);
    });
    return table;
  }

  function windowView(cells, caption) {
    // (*k) cell texts of dims 1, 2 or 3 -> one row, a grid, or depth slices labelled d=0, d=1, ...
    var box = el("div", "scroll");
    if (caption) box.appendChild(el("div", "mono", caption));
    if (data.dims === 1) { box.appendChild(cellTable([cells])); return box; }
    if (data.dims === 2) { box.appendChild(cellTable(cells)); return box; }
    var slices = el("div", "flow");
    cells.forEach(function (slice, depth) {
      var one = el("div");
      one.appendChild(el("div", "mono", "d=" + depth));
      one.appendChild(cellTable(slice));
      slices.appendChild(one);
    });
    box.appendChild(slices);
    return box;
  }

  function layerFrame(i) {
    var s = data.steps[i], box = document.createDocumentFragment();
    box.appendChild(el("h2", "", "step " + s.step + " (" + (s.step + 1) + " of " + data.total + "):  " +
      layerLabel(s) + " = " + s.value));
    var corner = "(" + s.corner.join(",") + ")";
    if (data.kind === "max_pool" || data.kind === "avg_pool") {
      box.appendChild(el("p", "formula dim", "window at " + corner + " of the padded input, channel " + s.k +
        "; " + PAD + " = padding (read as nothing)"));
      box.appendChild(windowView(s.patch[0], ""));
      var how = el("p", "total");
      if (data.kind === "max_pool") {
        how.appendChild(document.createTextNode("max = "));
        how.appendChild(el("span", "value", s.value));
        how.appendChild(document.createTextNode(", first met at input (" + s.max_at.join(",") +
          ") [marked]; its gradient goes there"));
      } else {
        how.appendChild(document.createTextNode("sum " + s.total + " / divisor " + s.divisor + " = "));
        how.appendChild(el("span", "value", s.value));
      }
      box.appendChild(how);
      return box;
    }
    var first = s.channels[0], last = s.channels[1] - 1;
    box.appendChild(el("p", "formula dim", "window at " + corner + " of " + LAYER_READS[data.kind] +
      "; input channels " + first + ".." + last + (data.groups > 1 ? " (group " + s.group + ")" : "") +
      (data.kind === "conv_transpose" ? "; " + PAD + " = an inserted zero or the border" : "; " + PAD + " = zero padding")));
    var rotated = data.kind === "conv_transpose" || data.flip ? " (rotated)" : "";
    var flow = el("div", "flow");
    s.patch.forEach(function (patch, c) {
      var line = el("div", "product scroll");
      line.appendChild(windowView(patch, "channel " + (first + c) + ": patch"));
      line.appendChild(el("span", "op", "*"));
      line.appendChild(windowView(s.kernel[c], "kernel" + rotated));
      line.appendChild(el("span", "sum", "partial sum = " + s.partials[c]));
      flow.appendChild(line);
    });
    box.appendChild(flow);
    var total = el("p", "total");
    total.appendChild(document.createTextNode(s.partials.join(" + ") + " + bias " + s.bias + " = "));
    total.appendChild(el("span", "value", s.value));
    box.appendChild(total);
    return box;
  }

  function layerFind(text) {
    // "12" (a step number) or "out[0,1,2]" / "0,1,2" (n, k, then the spatial axes) -> index, or a message
    var t = text.replace(/\s+/g, "").replace(/^out\[|\]$/g, ""), want;
    var parts = t.split(","), size = 2 + data.dims;
    if (/^\d+$/.test(t)) want = function (s) { return s.step === Number(t); };
    else if (parts.length === size && parts.every(function (p) { return /^\d+$/.test(p); })) {
      want = function (s) { return [s.n, s.k].concat(s.at).join(",") === parts.map(Number).join(","); };
    } else return "write a step number (0.." + (data.total - 1) + ") or out[n,k," +
      ["col", "row,col", "depth,row,col"][data.dims - 1] + "]";
    for (var i = 0; i < data.steps.length; i++) if (want(data.steps[i])) return i;
    return text + " is not in this page (it holds " + data.steps.length + " of the " + data.total + " positions)";
  }

