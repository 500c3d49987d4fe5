/* VoiceCoach trainee progress: score by date against the pass mark, and small multiples
   of a few voice measures against the trainee's calm band (uPlot). The page itself holds
   the same facts as text and tables; the charts are drawn from #page-data. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  if (typeof uPlot === "undefined") return;
  const INK = "#1d2733", GRID = "#dde3ea", FONT = "12px system-ui, sans-serif";
  const BOLD = "bold 12px system-ui, sans-serif";
  const day = iso => Date.parse(iso) / 1000;
  const fmtDate = s => new Date(s * 1000).toISOString().slice(0, 10);

  function axis(label, extra) {
    return Object.assign({stroke: INK, font: FONT, labelFont: BOLD, label, labelSize: 18,
                          grid: {stroke: GRID, width: 1}, ticks: {stroke: GRID}}, extra || {});
  }
  const DAY_S = 86400;
  function dateAxis() {
    // ticks on whole days only, however few calls there are
    return axis("date", {values: (u, ticks) => ticks.map(fmtDate), space: 90,
                         incrs: [1, 2, 7, 14, 30, 91, 365].map(d => d * DAY_S)});
  }
  function width(el) { return Math.max(260, el.clientWidth || 600); }
  function xRange(xs) {
    const lo = Math.min(...xs), hi = Math.max(...xs);
    const pad = hi > lo ? (hi - lo) * 0.05 : 2 * DAY_S;
    return [lo - pad, hi + pad];
  }
  function bandPlugin(band, colour) {
    // the calm band as a shaded strip behind the series
    return {hooks: {drawClear: [u => {
      if (!band) return;
      const top = u.valToPos(band[1], "y", true), bottom = u.valToPos(band[0], "y", true);
      u.ctx.save();
      u.ctx.fillStyle = colour;
      u.ctx.fillRect(u.bbox.left, top, u.bbox.width, bottom - top);
      u.ctx.restore();
    }]}};
  }
  function passMarkPlugin(mark) {
    // the pass mark as a dashed line across the whole chart, labelled on the canvas
    return {hooks: {draw: [u => {
      if (mark === null) return;
      const y = u.valToPos(mark, "y", true), ctx = u.ctx, ratio = uPlot.pxRatio || 1;
      ctx.save();
      ctx.strokeStyle = "#8a4b00"; ctx.lineWidth = 2 * ratio; ctx.setLineDash([6 * ratio, 4 * ratio]);
      ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.fillStyle = "#6b3a00"; ctx.font = (12 * ratio) + "px system-ui, sans-serif";
      ctx.textAlign = "right";
      ctx.fillText("pass mark " + mark, u.bbox.left + u.bbox.width - 4 * ratio, y - 6 * ratio);
      ctx.restore();
    }]}};
  }
  const charts = [];
  function chart(el, opts, series) {
    const plot = new uPlot(Object.assign({width: width(el)}, opts), series, el);
    charts.push([plot, el]);
  }

  const scored = data.sessions.filter(s => s.score !== null && s.score !== undefined);
  const scoreBox = document.getElementById("score-chart");
  if (scoreBox && scored.length) {
    const xs = scored.map(s => day(s.started_at));
    const marks = Object.values(data.pass_marks);
    const mark = marks.length ? Math.max(...marks) : null;
    chart(scoreBox, {
      height: 240, legend: {show: false},
      scales: {x: {time: false, range: () => xRange(xs)}, y: {range: [0, 100]}},
      axes: [dateAxis(), axis("score (0–100)", {size: 56})],
      series: [
        {label: "date", value: (u, v) => (v === null ? "" : fmtDate(v))},
        {label: "score", stroke: "#1f4e79", width: 2, points: {size: 8, fill: "#1f4e79"}},
      ],
      plugins: [passMarkPlugin(mark)],
    }, [xs, scored.map(s => s.score)]);
  }

  for (const measure of data.measures) {
    const box = document.getElementById("measure-" + measure.id);
    if (!box) continue;
    const rows = data.sessions.filter(s => measure.id in (s.measures || {}));
    const xs = rows.map(s => day(s.started_at));
    const ys = rows.map(s => s.measures[measure.id]);
    const band = measure.calm_band;
    const all = ys.concat(band || []);
    const lo = Math.min(...all), hi = Math.max(...all), pad = (hi - lo) * 0.15 || 1;
    chart(box, {
      height: 170, legend: {show: false},
      scales: {x: {time: false, range: () => xRange(xs)}, y: {range: [lo - pad, hi + pad]}},
      axes: [dateAxis(), axis(measure.unit, {size: 56})],
      series: [{}, {label: measure.title, stroke: "#1f4e79", width: 2,
                    points: {size: 7, fill: "#1f4e79"}}],
      plugins: [bandPlugin(band, "rgba(30,132,73,0.18)")],
    }, [xs, ys]);
  }
  window.addEventListener("resize", () => charts.forEach(([c, el]) =>
    c.setSize({width: width(el), height: c.height})));
  window.voicecoachCharts = charts.map(([c]) => c);
})();
