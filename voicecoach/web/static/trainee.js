/* VoiceCoach trainee progress: score and delivery measures over sessions (uPlot),
   and which protocol steps each session met. Data comes from #page-data. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const sessions = data.sessions;
  const xs = sessions.map((_, i) => i + 1);
  const width = Math.max(360, document.querySelector("main").clientWidth - 20);
  const label = i => (sessions[i - 1] ? sessions[i - 1].started_at.slice(0, 10) : "");
  const xAxis = {values: (u, ticks) => ticks.map(t => (Number.isInteger(t) ? "#" + t : ""))};

  if (typeof uPlot !== "undefined" && sessions.length) {
    new uPlot({
      title: "Score per session", width, height: 220,
      scales: {x: {time: false}, y: {range: [0, 100]}},
      series: [{label: "session", value: (u, v) => (v ? "#" + v + " " + label(v) : "")},
               {label: "score", stroke: "#2f5d8a", width: 2, points: {size: 7}}],
      axes: [xAxis, {label: "score"}],
    }, [xs, sessions.map(s => s.score)], document.getElementById("progress-chart"));

    const names = [...new Set(sessions.flatMap(s => Object.keys(s.features || {})))];
    const numeric = names.filter(n => sessions.some(s => typeof (s.features || {})[n] === "number"));
    const colors = ["#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085"];
    if (numeric.length) {
      new uPlot({
        title: "Delivery measures per session", width, height: 220,
        scales: {x: {time: false}},
        series: [{label: "session"}].concat(numeric.map((n, i) => ({
          label: n, stroke: colors[i % colors.length], points: {size: 6}, scale: "y" + i}))),
        axes: [xAxis].concat(numeric.slice(0, 2).map((n, i) => ({scale: "y" + i, label: n,
                                                                  side: i ? 1 : 3}))),
      }, [xs].concat(numeric.map(n => sessions.map(s => (s.features || {})[n] ?? null))),
      document.getElementById("delivery-chart"));
    }
  }

  const steps = [...new Set(sessions.flatMap(s => Object.keys(s.steps || {})))];
  const faults = [...new Set(sessions.flatMap(s => Object.keys(s.faults || {})))];
  const table = document.createElement("table");
  table.className = "steps";
  const head = table.createTHead().insertRow();
  head.insertCell().textContent = "session";
  for (const name of [...steps, ...faults]) {
    const th = document.createElement("th");
    th.textContent = name;
    if (faults.includes(name)) th.className = "fault";
    head.append(th);
  }
  const body = table.createTBody();
  sessions.forEach((s, i) => {
    const row = body.insertRow();
    const a = document.createElement("a");
    a.href = "/sessions/" + encodeURIComponent(s.id);
    a.textContent = "#" + (i + 1) + " " + s.started_at.slice(0, 16).replace("T", " ")
      + " (" + (s.score ?? "-") + ")";
    row.insertCell().append(a);
    for (const name of steps) {
      const cell = row.insertCell();
      const met = (s.steps || {})[name];
      cell.textContent = met === undefined ? "" : met ? "\u2713" : "\u2717";
      cell.className = met ? "ok" : "bad";
    }
    for (const name of faults) {
      const cell = row.insertCell();
      const present = (s.faults || {})[name];
      cell.textContent = present ? "\u26a0" : "";
      cell.className = present ? "bad" : "";
    }
  });
  document.getElementById("steps").append(table);
})();
