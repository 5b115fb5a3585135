/*
 * Draws every plot embedded in #plot-data with uPlot. Each plot's data is PlotSpec's JSON: series
 * with their own x and y, joined here on x (history series share x = commit index already).
 * On the body it leaves data-plots-drawn (how many uPlot instances were made) and
 * data-plot-errors (how many plots failed), which check-report.sh reads from the rendered DOM.
 */
(function () {
  "use strict";
  var WIDTH = 620;
  var HEIGHT = 300;

  function fmt(v) {
    if (v == null || !isFinite(v)) {
      return "\u2013";
    }
    var a = Math.abs(v);
    if (a === 0) {
      return "0";
    }
    if (a >= 1e7 || a < 1e-3) {
      return v.toExponential(3);
    }
    return String(+v.toPrecision(4));
  }

  /** An axis label; a log axis leaves minor ticks unlabelled (null). */
  function tick(v) {
    return v == null ? "" : fmt(v);
  }

  /** x = 1/(1-p) as a percentile: 1 -> 0%, 10 -> 90%, 1000 -> 99.9%. */
  function percentile(x) {
    var p = 100 * (1 - 1 / x);
    return String(+p.toPrecision(Math.max(2, Math.ceil(Math.log10(x)) + 1))) + "%";
  }

  function decades(min, max) {
    var out = [];
    for (var e = Math.floor(Math.log10(min)); Math.pow(10, e) <= max * 1.000001; e++) {
      if (Math.pow(10, e) >= min * 0.999999) {
        out.push(Math.pow(10, e));
      }
    }
    return out;
  }

  function aligned(spec) {
    if (spec.kind === "history") {
      return [spec.series[0].x].concat(spec.series.map(function (s) { return s.y; }));
    }
    return uPlot.join(spec.series.map(function (s) { return [s.x, s.y]; }));
  }

  /** Interval bars in each visible series' colour, in data space, drawn after the series. */
  function intervals(u, spec) {
    var ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    spec.series.forEach(function (s, i) {
      if (!u.series[i + 1].show || s.lo.length === 0) {
        return;
      }
      ctx.strokeStyle = s.colour;
      ctx.lineWidth = 1.2 * devicePixelRatio;
      for (var j = 0; j < s.x.length; j++) {
        if (s.lo[j] == null || s.hi[j] == null) {
          continue;
        }
        var x = u.valToPos(s.x[j], "x", true);
        var lo = u.valToPos(s.lo[j], "y", true);
        var hi = u.valToPos(s.hi[j], "y", true);
        var w = 4 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(x, lo); ctx.lineTo(x, hi);
        ctx.moveTo(x - w, lo); ctx.lineTo(x + w, lo);
        ctx.moveTo(x - w, hi); ctx.lineTo(x + w, hi);
        ctx.stroke();
      }
    });
    ctx.restore();
  }

  /** The hovered x and each visible series' value there, with the point's note where it has one. */
  function tooltip(u, spec, tip) {
    var idx = u.cursor.idx;
    if (idx == null) {
      tip.style.display = "none";
      return;
    }
    var x = u.data[0][idx];
    var lines = [xText(spec, x)];
    spec.series.forEach(function (s, i) {
      var y = u.data[i + 1][idx];
      if (!u.series[i + 1].show || y == null) {
        return;
      }
      var j = s.x.indexOf(x);
      var note = j >= 0 && s.notes.length > j ? s.notes[j] : "";
      lines.push(s.label + ": " + (note !== "" ? note : fmt(y)));
    });
    tip.textContent = lines.join("\n");
    tip.style.display = "block";
    var left = u.cursor.left + u.over.offsetLeft + 12;
    tip.style.left = Math.min(left, WIDTH - 200) + "px";
    tip.style.top = (u.cursor.top + u.over.offsetTop + 12) + "px";
  }

  function xText(spec, x) {
    if (spec.kind === "history") {
      return "commit " + spec.categories[x];
    }
    if (spec.kind === "spectrum") {
      return "percentile " + percentile(x);
    }
    if (spec.kind === "size") {
      return "size " + x;
    }
    if (spec.kind === "data") {
      return x + " values preloaded";
    }
    return spec.x.label + " " + fmt(x);
  }

  function xAxis(spec) {
    var axis = {label: spec.x.label + (spec.x.log && spec.kind !== "spectrum" ? " (log scale)" : "")};
    if (spec.kind === "history") {
      axis.splits = function (u) {
        var n = spec.categories.length;
        var step = Math.max(1, Math.ceil(n * 64 / u.bbox.width * devicePixelRatio));
        var out = [];
        for (var i = n - 1; i >= 0; i -= step) {
          out.unshift(i);
        }
        return out;
      };
      axis.values = function (u, splits) {
        return splits.map(function (v) { return spec.categories[v] || ""; });
      };
    } else if (spec.kind === "spectrum") {
      axis.splits = function (u, i, min, max) { return decades(min, max); };
      axis.values = function (u, splits) { return splits.map(percentile); };
    } else if (spec.kind === "size") {
      axis.incrs = [1, 2, 5, 10];
      axis.values = function (u, splits) { return splits.map(function (v) { return String(v); }); };
    } else {
      axis.values = function (u, splits) { return splits.map(tick); };
    }
    return axis;
  }

  /** The y range covers the interval bounds too, not only the medians. */
  function yRange(spec) {
    return function (u, min, max) {
      spec.series.forEach(function (s) {
        s.lo.concat(s.hi).forEach(function (v) {
          if (v != null && (!spec.y.log || v > 0)) {
            min = min == null ? v : Math.min(min, v);
            max = max == null ? v : Math.max(max, v);
          }
        });
      });
      return spec.y.log ? uPlot.rangeLog(min, max, 10, true) : uPlot.rangeNum(min, max, 0.1, true);
    };
  }

  function series(spec) {
    var out = [{label: spec.kind === "history" ? "commit" : spec.x.label,
      value: function (u, v) { return v == null ? "\u2013" : xText(spec, v); }}];
    spec.series.forEach(function (s, i) {
      var o = {
        label: s.label, stroke: s.colour, width: 1.6, dash: s.dash, spanGaps: spec.kind !== "history",
        value: function (u, v) { return fmt(v); },
        points: {show: s.style === "points" || s.style === "marks", space: 0}
      };
      if (s.style === "step") {
        o.paths = uPlot.paths.stepped({align: 1});
      } else if (s.style === "marks") {
        o.paths = function () { return null; };
        o.points = {show: true, space: 0, size: 12, width: 2, stroke: "#000", fill: s.colour};
      } else if (s.style === "points") {
        o.points.size = 7;
        o.points.fill = s.dash.length === 0 ? s.colour : "#fff";
      }
      out.push(o);
    });
    return out;
  }

  function draw(spec) {
    var el = document.getElementById(spec.id);
    var tip = document.createElement("div");
    tip.className = "tip";
    var opts = {
      width: WIDTH, height: HEIGHT,
      scales: {
        x: {time: false, distr: spec.x.log ? 3 : 1},
        y: spec.kind === "cdf" ? {range: [0, 1]} : {distr: spec.y.log ? 3 : 1, range: yRange(spec)}
      },
      axes: [xAxis(spec), {label: spec.y.label + (spec.y.log ? " (log scale)" : ""), size: 64,
        values: function (u, splits) { return splits.map(tick); }}],
      series: series(spec),
      cursor: {drag: {x: true, y: true, uni: 40}},
      hooks: {
        draw: [function (u) { intervals(u, spec); }],
        setCursor: [function (u) { tooltip(u, spec, tip); }]
      }
    };
    if (spec.kind === "history") {
      opts.scales.x.range = [-0.5, Math.max(spec.categories.length, 1) - 0.5];
    }
    var u = new uPlot(opts, aligned(spec), el);
    el.appendChild(tip);
    return u;
  }

  var data = JSON.parse(document.getElementById("plot-data").textContent);
  var drawn = 0;
  var errors = 0;
  data.plots.forEach(function (spec) {
    try {
      draw(spec);
      drawn++;
    } catch (e) {
      errors++;
      var el = document.getElementById(spec.id);
      if (el) {
        var p = document.createElement("p");
        p.className = "plot-error";
        p.textContent = "plot failed: " + e;
        el.appendChild(p);
      }
    }
  });
  document.body.setAttribute("data-plots-drawn", String(drawn));
  document.body.setAttribute("data-plot-errors", String(errors));
})();
