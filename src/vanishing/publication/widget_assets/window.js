// The window widget: eq. (123) against a numeric search for the window's edges.
var S = JSON.parse(byId("vw-window-state").textContent);
var COLORS = S.colors;

// The book's width (2/|w|) ln(|w|(1 + √(1 − 4/|w|))/2 − 1); 0 where |w| < 4 (no window).
function widthFormula(w) {
  w = Math.abs(w);
  if (w < 4) { return 0; }
  return (2.0 / w) * Math.log(w * (1.0 + Math.sqrt(1.0 - 4.0 / w)) / 2.0 - 1.0);
}

function inside(a, w, b) { return Math.abs(w * sigmaPrime(w * a + b)) >= 1.0; }

// Bisect [inner, outer] (inner inside the window, outer outside) down to adjacent doubles.
function edge(w, b, inner, outer) {
  for (var i = 0; i < 2000; i++) {
    var mid = 0.5 * (inner + outer);
    if (mid === inner || mid === outer) { break; }
    if (inside(mid, w, b)) { inner = mid; } else { outer = mid; }
  }
  return 0.5 * (inner + outer);
}

// The window's edges found numerically: |wσ′(wa + b)| peaks at a = −b/w and falls off on both
// sides, so each edge lies between the peak and a point far enough out; null if no window.
function numericWindow(w, b) {
  if (w === 0) { return null; }
  var centre = -b / w;
  if (!inside(centre, w, b)) { return null; }
  var span = 1.0 / Math.abs(w);
  while (inside(centre - span, w, b) || inside(centre + span, w, b)) { span *= 2; }
  return [edge(w, b, centre, centre - span), edge(w, b, centre, centre + span)];
}

var state = { w: S.initial.w, b: S.initial.b };
var wSlider = setupSlider("vw-window-w", S.ranges.weight, state.w, function (v) { state.w = v; update(); });
var bSlider = setupSlider("vw-window-b", S.ranges.bias, state.b, function (v) { state.b = v; update(); });
byId("vw-window-widest").addEventListener("click", function () {
  state.w = S.widest.w;
  wSlider.value = String(state.w);
  update();
});
byId("vw-window-widest-w").textContent = fmt(S.widest.w);
byId("vw-window-widest-width").textContent = fmt(S.widest.width);

function update() {
  var win = numericWindow(state.w, state.b);
  byId("vw-window-w-val").textContent = fmt(state.w);
  byId("vw-window-b-val").textContent = fmt(state.b);
  byId("vw-window-formula").textContent = fmt(widthFormula(state.w));
  byId("vw-window-numeric").textContent = fmt(win ? win[1] - win[0] : 0);
  byId("vw-window-edges").textContent = win ? "a from " + fmt(win[0]) + " to " + fmt(win[1]) : "none (|w σ′| < 1 for every a)";
  drawFactor(win);
  drawCurve();
}

// |wσ′(wa + b)| for a in the plot's range, the line at 1 and the window shaded.
function drawFactor(win) {
  var svg = byId("vw-window-plot"), size = fitPlot(svg, 0.5, 200, 300), W = size[0], H = size[1];
  var m = { l: 44, r: 14, t: 12, b: 38 };
  var aLo = S.a_range[0], aHi = S.a_range[1], top = Math.max(1.25, 1.1 * Math.abs(state.w) / 4);
  var x = function (a) { return m.l + (a - aLo) / (aHi - aLo) * (W - m.l - m.r); };
  var y = function (v) { return m.t + (1 - v / top) * (H - m.t - m.b); };
  clear(svg);
  if (win) {
    var left = Math.max(aLo, win[0]), right = Math.min(aHi, win[1]);
    if (right > left) {
      svgEl("rect", { x: x(left), y: m.t, width: Math.max(1, x(right) - x(left)), height: H - m.t - m.b,
                      fill: COLORS.window, "fill-opacity": 0.25 }, svg);
    }
  }
  drawAxes(svg, W, H, m, x, y, niceTicks(0, top, 5), niceTicks(aLo, aHi, 6), "input a");
  svgEl("line", { x1: m.l, x2: W - m.r, y1: y(1), y2: y(1), stroke: "#555", "stroke-dasharray": "4 3" }, svg);
  var pts = [], n = S.plot_points;
  for (var i = 0; i < n; i++) {
    var a = aLo + (aHi - aLo) * i / (n - 1);
    pts.push(x(a).toFixed(2) + "," + y(Math.abs(state.w * sigmaPrime(state.w * a + state.b))).toFixed(2));
  }
  svgEl("polyline", { points: pts.join(" "), fill: "none", stroke: COLORS.factor, "stroke-width": 2 }, svg);
  svgEl("text", { x: W - m.r, y: y(1) - 4, "text-anchor": "end" }, svg).textContent = "|w σ′(wa + b)| = 1";
}

// Grid lines labelled at yTicks, labels at xTicks under the plot, and the x axis's name, for a
// plot of W x H with margins m and the maps x, y from data to SVG coordinates.
function drawAxes(svg, W, H, m, x, y, yTicks, xTicks, xName) {
  yTicks.forEach(function (t) {
    svgEl("line", { x1: m.l, x2: W - m.r, y1: y(t), y2: y(t), stroke: "#e6e6e6" }, svg);
    svgEl("text", { x: m.l - 6, y: y(t) + 4, "text-anchor": "end" }, svg).textContent = fmt(t);
  });
  xTicks.forEach(function (t) {
    svgEl("text", { x: x(t), y: H - m.b + 16, "text-anchor": "middle" }, svg).textContent = fmt(t);
  });
  svgEl("text", { x: (m.l + W - m.r) / 2, y: H - 4, "text-anchor": "middle" }, svg).textContent = xName;
}

// The width against |w| from the pipeline's window.csv, the current |w| and E5's widest window.
function drawCurve() {
  var svg = byId("vw-window-curve"), size = fitPlot(svg, 0.4, 170, 240), W = size[0], H = size[1];
  var m = { l: 52, r: 14, t: 26, b: 36 };
  var ws = S.table.w, widths = S.table.width_formula;
  var wLo = S.ranges.weight.min, wHi = S.ranges.weight.max, top = 1.15 * S.widest.width;
  var x = function (w) { return m.l + (w - wLo) / (wHi - wLo) * (W - m.l - m.r); };
  var y = function (v) { return m.t + (1 - v / top) * (H - m.t - m.b); };
  clear(svg);
  drawAxes(svg, W, H, m, x, y, niceTicks(0, top, 4), niceTicks(wLo, wHi, 6), "|w|");
  svgEl("text", { x: 4, y: 14 }, svg).textContent = "width of the window";
  svgEl("polyline", { points: ws.map(function (w, i) { return x(w).toFixed(2) + "," + y(widths[i]).toFixed(2); }).join(" "),
                      fill: "none", stroke: COLORS.window, "stroke-width": 2 }, svg);
  var cw = Math.abs(state.w);
  svgEl("line", { x1: x(cw), x2: x(cw), y1: m.t, y2: H - m.b, stroke: COLORS.factor, "stroke-width": 1.5 }, svg);
  svgEl("circle", { cx: x(cw), cy: y(widthFormula(cw)), r: 4, fill: COLORS.factor }, svg);
  var sx = x(S.widest.w), sy = y(S.widest.width);
  svgEl("path", { d: "M" + sx + "," + (sy - 7) + " l6,7 l-6,7 l-6,-7 z", fill: "#fff", stroke: "#222", "stroke-width": 1.5 }, svg);
  svgEl("text", { x: sx + 10, y: sy + 20 }, svg).textContent = "E5 widest";
}

window.addEventListener("resize", function () { update(); });
update();
