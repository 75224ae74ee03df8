// The chain widget: eq. (122) evaluated factor by factor, as vanishing.chapter.chain.eq122_gradients does.
var S = JSON.parse(byId("vw-chain-state").textContent);
var COLORS = S.colors;

// z_j, ∂C/∂b_j and w_j σ′(z_j) for weights w, biases b (length D), input a0 and target y.
function eq122(w, b, a0, y) {
  var D = w.length, z = [], a = [], prev = a0, l;
  for (l = 0; l < D; l++) { z[l] = w[l] * prev + b[l]; a[l] = sigma(z[l]); prev = a[l]; }
  var sp = z.map(sigmaPrime), grads = [], factor = a[D - 1] - y;  // ∂C/∂a_D
  for (l = D - 1; l >= 0; l--) { grads[l] = sp[l] * factor; factor = factor * sp[l] * w[l]; }
  return { z: z, grads: grads, factors: w.map(function (wl, j) { return wl * sp[j]; }) };
}

var state = {};

// The weights and biases of the current chain (length D).
function chainParams() {
  var D = state.depth, w = [], b = [], l;
  for (l = 0; l < D; l++) { w[l] = state.wMode === "common" ? state.w : state.ws[l]; }
  for (l = 0; l < D; l++) {
    if (state.bMode === "common") { b[l] = state.b; }
    else if (state.bMode === "layer") { b[l] = state.bs[l]; }
    else { b[l] = -w[l] * (l === 0 ? state.a0 : sigma(0)); }  // every z = 0, so every a = σ(0)
  }
  return { w: w, b: b };
}

var sliders = {
  depth: setupSlider("vw-chain-depth", S.ranges.depth, S.ranges.depth.max, function (v) { state.depth = v; update(); }),
  w: setupSlider("vw-chain-w", S.ranges.weight, 0, function (v) { state.w = v; update(); }),
  b: setupSlider("vw-chain-b", S.ranges.bias, 0, function (v) { state.b = v; update(); }),
  a0: setupSlider("vw-chain-a0", S.ranges.input, 0, function (v) { state.a0 = v; update(); })
};
var presetSelect = byId("vw-chain-preset"), wMode = byId("vw-chain-wmode"), bMode = byId("vw-chain-bmode");
S.presets.forEach(function (p, i) {
  var option = document.createElement("option");
  option.value = String(i);
  option.textContent = p.label;
  presetSelect.appendChild(option);
});
var custom = document.createElement("option");
custom.value = "custom";
custom.textContent = "your own (moved a slider)";
presetSelect.appendChild(custom);

// One w and one b slider per layer, shown in the "per layer" modes.
var layerBox = byId("vw-chain-layers"), layerInputs = [];
for (var j = 0; j < S.ranges.depth.max; j++) {
  (function (l) {
    var row = {};
    ["w", "b"].forEach(function (name) {
      var div = document.createElement("div"), label = document.createElement("label");
      var input = document.createElement("input"), out = document.createElement("output");
      div.className = "vw-control";
      input.type = "range";
      input.id = "vw-chain-" + name + (l + 1);
      label.htmlFor = input.id;
      label.textContent = name + " of layer " + (l + 1);
      out.id = input.id + "-val";
      out.htmlFor = input.id;
      div.appendChild(label); div.appendChild(input); div.appendChild(out);
      layerBox.appendChild(div);
      setupSlider(input.id, name === "w" ? S.ranges.weight : S.ranges.bias, 0, function (v) {
        state[name + "s"][l] = v; markCustom(); update();
      });
      row[name] = { div: div, input: input, out: out };
    });
    layerInputs.push(row);
  })(j);
}

// n with subscript digits (U+2080..2089), for b_D in the ratio's text.
function subscript(n) {
  return String(n).split("").map(function (d) { return String.fromCharCode(0x2080 + parseInt(d, 10)); }).join("");
}

function markCustom() { presetSelect.value = "custom"; }

function fillArray(value) { var out = []; for (var l = 0; l < S.ranges.depth.max; l++) { out.push(value); } return out; }

function applyPreset(p) {
  state = { depth: p.depth, wMode: p.w_mode, bMode: p.b_mode, a0: p.a0,
            w: p.w_mode === "common" ? p.w : p.w[0], b: p.b_mode === "common" ? p.b : 0,
            ws: p.w_mode === "layer" ? p.w.slice() : fillArray(p.w),
            bs: p.b_mode === "layer" ? p.b.slice() : fillArray(p.b_mode === "common" ? p.b : 0) };
  if (p.b_mode === "layer") { state.b = p.b[0]; }
  wMode.value = state.wMode;
  bMode.value = state.bMode;
  syncSliders();
  update();
}

// Put every slider at (the grid point nearest to) the state's value.
function syncSliders() {
  sliders.depth.value = String(state.depth);
  sliders.w.value = String(state.w);
  sliders.b.value = String(state.b);
  sliders.a0.value = String(state.a0);
  layerInputs.forEach(function (row, l) { row.w.input.value = String(state.ws[l]); row.b.input.value = String(state.bs[l]); });
}

presetSelect.addEventListener("change", function () {
  if (presetSelect.value !== "custom") { applyPreset(S.presets[parseInt(presetSelect.value, 10)]); }
});
wMode.addEventListener("change", function () {
  if (wMode.value === "layer") { state.ws = fillArray(state.w); }
  state.wMode = wMode.value; markCustom(); syncSliders(); update();
});
bMode.addEventListener("change", function () {
  if (bMode.value === "layer") { state.bs = fillArray(state.b); }
  state.bMode = bMode.value; markCustom(); syncSliders(); update();
});
["depth", "w", "b", "a0"].forEach(function (k) { sliders[k].addEventListener("input", markCustom); });

function update() {
  var p = chainParams(), r = eq122(p.w, p.b, state.a0, S.y), D = state.depth;
  byId("vw-chain-depth-val").textContent = String(D);
  byId("vw-chain-w-val").textContent = fmt(state.w);
  byId("vw-chain-b-val").textContent = state.bMode === "zero" ? "set by z = 0" : fmt(state.b);
  byId("vw-chain-a0-val").textContent = fmt(state.a0);
  byId("vw-chain-w-row").hidden = state.wMode !== "common";
  byId("vw-chain-b-row").hidden = state.bMode !== "common";
  sliders.b.disabled = state.bMode !== "common";
  byId("vw-chain-layers-box").hidden = !(state.wMode === "layer" || state.bMode === "layer");
  byId("vw-chain-layers-summary").textContent = (state.wMode === "layer" ? "w" : "") +
    (state.wMode === "layer" && state.bMode === "layer" ? " and " : "") + (state.bMode === "layer" ? "b" : "") +
    " of each of the " + D + " layers";
  layerInputs.forEach(function (row, l) {
    row.w.div.hidden = !(state.wMode === "layer" && l < D);
    row.b.div.hidden = !(state.bMode === "layer" && l < D);
    row.w.out.textContent = fmt(state.ws[l]);
    row.b.out.textContent = fmt(state.bs[l]);
  });
  var body = byId("vw-chain-table").tBodies[0];
  var LABELS = ["layer j", "|∂C/∂bⱼ|", "|wⱼ σ′(zⱼ)|", "zⱼ", "wⱼ", "bⱼ"];
  clear(body);
  for (var l = 0; l < D; l++) {
    var tr = document.createElement("tr");
    [["layer", String(l + 1)], ["grad", fmt(Math.abs(r.grads[l]))], ["factor", fmt(Math.abs(r.factors[l]))],
     ["z", fmt(r.z[l])], ["w", fmt(p.w[l])], ["b", fmt(p.b[l])]].forEach(function (cell, i) {
      var td = document.createElement("td");
      td.className = "vw-" + cell[0];
      td.setAttribute("data-label", LABELS[i]);  // the column's name, shown beside the value on narrow screens
      td.textContent = cell[1];
      tr.appendChild(td);
    });
    body.appendChild(tr);
  }
  var first = Math.abs(r.grads[0]), last = Math.abs(r.grads[D - 1]);
  // every digit of D as a Unicode subscript (D = 10 is ₁₀, not ₀)
  var subscript = function (n) {
    return String(n).split("").map(function (c) { return String.fromCharCode(0x2080 + Number(c)); }).join("");
  };
  byId("vw-chain-ratio").textContent = D < 2 ? "One layer: nothing to compare." :
    "|∂C/∂b₁| / |∂C/∂b" + subscript(D) + "| = " + fmt(first / last) +
    (first < last ? " (the first layer learns more slowly: vanishing)" : first > last ? " (the first layer learns faster: exploding)" : "");
  draw(r, D);
}

// |∂C/∂b_j| (filled) and |w_j σ′(z_j)| (open) per layer on one log axis, with the line at 1.
function draw(r, D) {
  var svg = byId("vw-chain-plot"), size = fitPlot(svg, 0.55, 220, 320), W = size[0], H = size[1];
  var m = { l: 50, r: 14, t: 26, b: 38 };
  clear(svg);
  var grads = r.grads.map(Math.abs), factors = r.factors.map(Math.abs);
  var logs = grads.concat(factors).filter(function (v) { return v > 0 && isFinite(v); }).map(Math.log10);
  logs.push(0);
  var lo = Math.floor(Math.min.apply(null, logs)), hi = Math.ceil(Math.max.apply(null, logs));
  if (hi - lo < 2) { lo -= 1; hi += 1; }
  var every = Math.max(1, Math.ceil((hi - lo) / 6));  // decades between ticks; 1e0 always one of them
  lo = Math.floor(lo / every) * every;
  hi = Math.ceil(hi / every) * every;
  var x = function (l) { return m.l + (D === 1 ? 0.5 : l / (D - 1)) * (W - m.l - m.r); };
  var y = function (v) { return m.t + (hi - Math.max(Math.log10(v), lo)) / (hi - lo) * (H - m.t - m.b); };
  for (var e = lo; e <= hi; e++) {
    if ((e - lo) % every) { continue; }
    svgEl("line", { x1: m.l, x2: W - m.r, y1: y(Math.pow(10, e)), y2: y(Math.pow(10, e)), stroke: "#e6e6e6" }, svg);
    svgEl("text", { x: m.l - 6, y: y(Math.pow(10, e)) + 4, "text-anchor": "end" }, svg).textContent = "1e" + e;
  }
  svgEl("line", { x1: m.l, x2: W - m.r, y1: y(1), y2: y(1), stroke: "#555", "stroke-dasharray": "4 3" }, svg);
  for (var l = 0; l < D; l++) {
    svgEl("text", { x: x(l), y: H - m.b + 16, "text-anchor": "middle" }, svg).textContent = String(l + 1);
  }
  svgEl("text", { x: (m.l + W - m.r) / 2, y: H - 6, "text-anchor": "middle" }, svg).textContent = "layer j";
  [[grads, COLORS.grad, true], [factors, COLORS.factor, false]].forEach(function (s) {
    var pts = [];
    s[0].forEach(function (v, l) { if (v > 0 && isFinite(v)) { pts.push(x(l) + "," + y(v)); } });
    svgEl("polyline", { points: pts.join(" "), fill: "none", stroke: s[1], "stroke-width": 2,
                        "stroke-dasharray": s[2] ? "" : "5 3" }, svg);
    s[0].forEach(function (v, l) {
      if (!(v > 0 && isFinite(v))) { return; }
      svgEl("circle", { cx: x(l), cy: y(v), r: 4.5, fill: s[2] ? s[1] : "#fff", stroke: s[1], "stroke-width": 2 }, svg);
    });
  });
  svgEl("circle", { cx: m.l + 6, cy: 11, r: 4.5, fill: COLORS.grad }, svg);
  svgEl("text", { x: m.l + 15, y: 15 }, svg).textContent = "|∂C/∂bⱼ|";
  svgEl("circle", { cx: m.l + 120, cy: 11, r: 4.5, fill: "#fff", stroke: COLORS.factor, "stroke-width": 2 }, svg);
  svgEl("text", { x: m.l + 129, y: 15 }, svg).textContent = "|wⱼ σ′(zⱼ)|";
}

window.addEventListener("resize", function () { update(); });
applyPreset(S.presets[S.initial]);
presetSelect.value = String(S.initial);
