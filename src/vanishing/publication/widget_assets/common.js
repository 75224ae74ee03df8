// Shared by both widgets (vanishing.publication.widgets inlines it into each one's script).
var SVG_NS = "http://www.w3.org/2000/svg";

function sigma(z) { return 1.0 / (1.0 + Math.exp(-z)); }

function sigmaPrime(z) { var s = sigma(z); return s * (1.0 - s); }

// Up to 12 significant digits, trailing zeros dropped: readable, and exact enough to check.
function fmt(x) {
  if (x === 0) { return "0"; }
  if (!isFinite(x)) { return String(x); }
  var big = Math.abs(x) >= 1e7 || Math.abs(x) < 1e-3;
  var parts = (big ? x.toExponential(11) : x.toPrecision(12)).split("e");
  var mantissa = parts[0].indexOf(".") >= 0 ? parts[0].replace(/0+$/, "").replace(/\.$/, "") : parts[0];
  return parts.length > 1 ? mantissa + "e" + parts[1].replace("+", "") : mantissa;
}

function svgEl(tag, attrs, parent) {
  var node = document.createElementNS(SVG_NS, tag);
  Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
  if (parent) { parent.appendChild(node); }
  return node;
}

function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

function byId(id) { return document.getElementById(id); }

// A range input on the grid lo + k·step; returns the input.
function setupSlider(id, range, value, onInput) {
  var input = byId(id);
  input.min = String(range.min);
  input.max = String(range.max);
  input.step = String(range.step);
  input.value = String(value);
  input.addEventListener("input", function () { onInput(parseFloat(input.value)); });
  return input;
}

// Ticks for a linear axis: about n round numbers covering [lo, hi].
function niceTicks(lo, hi, n) {
  var span = hi - lo, raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  var step = [1, 2, 5, 10].map(function (m) { return m * mag; }).filter(function (s) { return s >= raw; })[0];
  var ticks = [];
  for (var t = Math.ceil(lo / step) * step; t <= hi + 1e-12 * span; t += step) { ticks.push(Math.abs(t) < 1e-12 * span ? 0 : t); }
  return ticks;
}

// Size an SVG's coordinates to its rendered width (so text stays 13 px): returns [width, height].
function fitPlot(svg, ratio, minHeight, maxHeight) {
  var width = Math.max(260, Math.round(svg.getBoundingClientRect().width || 480));
  var height = Math.round(Math.min(maxHeight, Math.max(minHeight, width * ratio)));
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  return [width, height];
}
