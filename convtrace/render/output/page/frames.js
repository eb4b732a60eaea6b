/* The frames of a conv2d trace, built from the embedded data (see data.py); part of the page script.
 *
 * build.py joins helpers.js, frames.js and player.js into one function, so they share its names.
 * Nothing here computes a value: the window's taps are sliced out of the image at the corner the
 * record names, and every number shown is the record's own text.
 */
  /* ---------------------------------------------------------------- conv2d frames */

  var F = {};
  (data.fields || []).forEach(function (name, i) { F[name] = i; });

  function record(i) {
    var r = data.steps[i];
    return {
      step: r[F.step], n: r[F.n], k: r[F.k], row: r[F.row], col: r[F.col], top: r[F.top], left: r[F.left],
      value: r[F.value], bias: r[F.bias], partials: r[F.partials].split(" "), products: r[F.products].split(" ")
    };
  }

  function label(s) { return "out[" + s.n + "," + s.k + "," + s.row + "," + s.col + "]"; }

  function grid(rowsShown, colsShown, rowLabel, colLabel, cell, cut) {
    // a table with row and column labels; cell(i, j) -> [text, class]; cut marks rows/cols left out
    var table = el("table", "grid"), head = el("tr");
    head.appendChild(el("th", "", ""));
    if (cut[2]) head.appendChild(el("th", "", "\u2026"));
    for (var j = colsShown[0]; j < colsShown[1]; j++) head.appendChild(el("th", "", colLabel(j)));
    if (cut[3]) head.appendChild(el("th", "", "\u2026"));
    table.appendChild(head);
    if (cut[0]) { var up = el("tr"); up.appendChild(el("th", "", "\u22ee")); table.appendChild(up); }
    for (var i = rowsShown[0]; i < rowsShown[1]; i++) {
      var tr = el("tr");
      tr.appendChild(el("th", "", rowLabel(i)));
      if (cut[2]) tr.appendChild(el("td", "empty", "\u2026"));
      for (j = colsShown[0]; j < colsShown[1]; j++) {
        var c = cell(i, j);
        tr.appendChild(el("td", c[1], c[0]));
      }
      if (cut[3]) tr.appendChild(el("td", "empty", "\u2026"));
      table.appendChild(tr);
    }
    if (cut[1]) { var down = el("tr"); down.appendChild(el("th", "", "\u22ee")); table.appendChild(down); }
    var box = el("div", "scroll");
    box.appendChild(table);
    return box;
  }

  function matrix(rows, caption) {
    var table = el("table", "grid matrix");
    table.appendChild(el("caption", "", caption));
    rows.forEach(function (row) {
      var tr = el("tr");
      row.forEach(function (t) { tr.appendChild(el("td", "", t)); });
      table.appendChild(tr);
    });
    return table;
  }

  function convFrame(i) {
    var s = record(i), d = data, box = document.createDocumentFragment();
    var C = d.input_shape[1], kh = d.kernel_shape[2], kw = d.kernel_shape[3];
    var dh = d.dilation[0], dw = d.dilation[1];
    var pt = d.padding[0][0], pl = d.padding[1][0];
    var H = d.input_shape[2], W = d.input_shape[3], PH = d.padded_size[0], PW = d.padded_size[1];
    var image = d.images[String(s.n)];
    var head = "step " + s.step + " (" + (s.step + 1) + " of " + d.total + ") \u2014 " + label(s) + " = " + s.value;
    if (d.layout === "NHWC") head += "  (NHWC out[" + s.n + "," + s.row + "," + s.col + "," + s.k + "])";
    box.appendChild(el("h2", "", head));

    var u = dh === 1 ? "u" : dh + "u", v = dw === 1 ? "v" : dw + "v";
    var wIndex = d.flip ? "w[" + s.k + ", c, " + (kh - 1) + "-u, " + (kw - 1) + "-v]" : "w[" + s.k + ", c, u, v]";
    box.appendChild(el("p", "formula", label(s) + " = " + (d.has_bias ? "b[" + s.k + "] + " : "") +
      "sum_c sum_u sum_v x_pad[" + s.n + ", c, " + s.top + "+" + u + ", " + s.left + "+" + v + "] * " + wIndex +
      (d.has_bias ? "" : "   (no bias)")));
    box.appendChild(el("p", "formula dim", "c = " + span(0, C - 1) + ", u = " + span(0, kh - 1) + ", v = " +
      span(0, kw - 1) + "; window corner (top, left) = (row*" + d.stride[0] + ", col*" + d.stride[1] + ") = (" +
      s.top + ", " + s.left + ")" + (d.flip ? "; flip: w is read rotated 180\u00b0" : "")));
    box.appendChild(el("p", "formula dim", "shapes: images " + shape(d.input_shape) + " -> padded " +
      shape([d.input_shape[0], C, PH, PW]) + " -> window (" + C + "," + kh + "," + kw + ") x kernel[" + s.k +
      "] -> sum -> " + label(s) + " of " + shape(d.output_shape)));

    // the input: image n padded, the window's taps in [ ]
    var tapRows = {}, tapCols = {};
    for (var a = 0; a < kh; a++) tapRows[s.top + a * dh] = a;
    for (var b = 0; b < kw; b++) tapCols[s.left + b * dw] = b;
    var spanH = dh * (kh - 1) + 1, spanW = dw * (kw - 1) + 1;
    var rows = viewRange(PH, s.top, spanH, MAX_ROWS), cols = viewRange(PW, s.left, spanW, MAX_COLS);
    var cut = [rows[0] > 0, rows[1] < PH, cols[0] > 0, cols[1] < PW];
    var padded = pt || d.padding[0][1] || pl || d.padding[1][1];
    box.appendChild(el("h3", "", "x_pad[" + s.n + "]: image " + s.n + " padded to " + PH + "x" + PW +
      "; [ ] = the window's " + kh + "x" + kw + " taps" + (padded ? "; " + PAD + " = zero padding" : "")));
    var grids = el("div", "flow"), shown = Math.min(C, MAX_CHANNELS);
    for (var c = 0; c < shown; c++) {
      var one = el("div");
      one.appendChild(el("div", "mono", "c" + c));
      one.appendChild(grid(rows, cols, function (i) { return String(i - pt); }, function (j) { return String(j - pl); },
        (function (channel) {
          return function (i, j) {
            var inside = i >= pt && i < pt + H && j >= pl && j < pl + W;
            var text = inside ? channel[i - pt][j - pl] : PAD;
            var tap = (i in tapRows) && (j in tapCols);
            if (tap) return ["[" + text + "]", inside ? "tap" : "tap pad"];
            return [" " + text + " ", inside ? "" : "pad"];
          };
        })(image[c]), cut));
      grids.appendChild(one);
    }
    box.appendChild(grids);
    if (cut.indexOf(true) >= 0) box.appendChild(el("p", "note", "showing rows " + (rows[0] - pt) + ".." + (rows[1] - 1 - pt) +
      ", columns " + (cols[0] - pl) + ".." + (cols[1] - 1 - pl) + " of " + (-pt) + ".." + (PH - 1 - pt) + " x " +
      (-pl) + ".." + (PW - 1 - pl) + " (\u22ee \u2026 = cut)"));
    if (C > shown) box.appendChild(el("p", "note", "... and " + (C - shown) + " more channel" + (C - shown > 1 ? "s" : "") +
      " (c" + shown + "..c" + (C - 1) + ") not drawn"));

    // window * kernel slice = products, per channel, and the channel's sum
    box.appendChild(el("h3", "", "window * kernel slice = products, summed per channel"));
    if (d.flip) box.appendChild(el("p", "note", "flip is on: w[" + s.k + "] is shown rotated 180\u00b0, as the window uses it"));
    var products = el("div", "flow");
    for (c = 0; c < shown; c++) {
      var patch = [], kern = [], prod = [];
      for (a = 0; a < kh; a++) {
        var pr = [], kr = [], qr = [];
        for (b = 0; b < kw; b++) {
          var i2 = s.top + a * dh - pt, j2 = s.left + b * dw - pl;
          pr.push(i2 >= 0 && i2 < H && j2 >= 0 && j2 < W ? image[c][i2][j2] : "0");
          kr.push(d.kernels[s.k][c][a][b]);
          qr.push(s.products[(c * kh + a) * kw + b]);
        }
        patch.push(pr); kern.push(kr); prod.push(qr);
      }
      var line = el("div", "product scroll");
      line.appendChild(matrix(patch, "c" + c + " window"));
      line.appendChild(el("span", "op", "*"));
      line.appendChild(matrix(kern, "w[" + s.k + "," + c + "]" + (d.flip ? " rot180" : "")));
      line.appendChild(el("span", "op", "="));
      line.appendChild(matrix(prod, "products"));
      line.appendChild(el("span", "sum", "sum " + s.partials[c]));
      products.appendChild(line);
    }
    box.appendChild(products);
    if (C > shown) box.appendChild(el("p", "note", "... and " + (C - shown) + " more channels; all partial sums are listed below"));

    // the total: partial sums plus bias
    var names = [], numbers = [];
    s.partials.forEach(function (t, c2) { names.push("c" + c2); numbers.push(signed(t)); });
    names.push("bias"); numbers.push(signed(s.bias));
    var total = el("p", "total");
    total.appendChild(document.createTextNode(label(s) + " = " + names.join(" + ") + "\n = " + numbers.join(" + ") + "\n = "));
    total.appendChild(el("span", "value", s.value));
    box.appendChild(total);

    // the output map (n, k) filling in: earlier cells, this step's in [ ], the rest '.'
    var Ho = d.output_shape[2], Wo = d.output_shape[3], values = d.maps[s.n + "," + s.k];
    var orows = viewRange(Ho, s.row, 1, MAX_ROWS), ocols = viewRange(Wo, s.col, 1, MAX_COLS);
    box.appendChild(el("h3", "", "out[" + s.n + "," + s.k + "]: image " + s.n + ", kernel " + s.k + ", " + Ho + "x" + Wo +
      "; [ ] = this step, . = still to come"));
    box.appendChild(grid(orows, ocols, String, String, function (i, j) {
      if (i === s.row && j === s.col) return ["[" + s.value + "]", "cur"];
      if (i < s.row || (i === s.row && j < s.col)) return [" " + values[i][j] + " ", ""];
      return [" " + EMPTY + " ", "empty"];
    }, [orows[0] > 0, orows[1] < Ho, ocols[0] > 0, ocols[1] < Wo]));
    return box;
  }

  function convFind(text) {
    // "12" (a step number) or "out[0,1,2,3]" / "0,1,2,3" -> index into data.steps, or a message
    var t = text.replace(/\s+/g, "").replace(/^out\[|\]$/g, "");
    var parts = t.split(",");
    var want = null;
    if (/^\d+$/.test(t)) want = function (s) { return s.step === Number(t); };
    else if (parts.length === 4 && parts.every(function (p) { return /^\d+$/.test(p); })) {
      var q = parts.map(Number);
      want = function (s) { return s.n === q[0] && s.k === q[1] && s.row === q[2] && s.col === q[3]; };
    } else return "write a step number (0.." + (data.total - 1) + ") or out[n,k,row,col], e.g. out[0,0,1,2]";
    for (var i = 0; i < data.steps.length; i++) if (want(record(i))) return i;
    return text + " is not in this page (it holds " + data.steps.length + " of the " + data.total + " positions)";
  }

