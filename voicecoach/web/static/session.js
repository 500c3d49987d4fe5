/* VoiceCoach session review: one player (keyboard: space, arrows, J/K), the trainee and
   the caller on separate lanes (wavesurfer.js), labelled step/fault markers, pitch,
   loudness and mood (uPlot), the transcript with its evidence highlighted, the score with
   a verdict override beside each item, and comments.
   Data comes from the page (#page-data); `readonly` pages (exported reports) have no server.
   Words come from the data (titles from the protocol and measure vocabularies). */
(function () {
  "use strict";
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  const readonly = !!page.readonly;
  const viewer = page.viewer || null;  // the signed-in account, on a server with accounts
  const annotating = !readonly && (!viewer || viewer.can_annotate);
  let view = page;
  const sid = view.session.id;
  const typed = !!view.session.typed;
  const audio = document.getElementById("audio");
  const base = "/sessions/" + encodeURIComponent(sid);
  const INK = "#1d2733", GRID = "#dde3ea", FONT = "12px system-ui, sans-serif";
  const NAME_KEY = "voicecoach.instructor";
  const SKIP_S = 5;

  // ---- helpers -------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  function fmt(t) {
    if (t === null || t === undefined) return "-";
    const m = Math.floor(t / 60), s = t - 60 * m;
    return m + ":" + (s < 10 ? "0" : "") + s.toFixed(1);
  }
  function fmtStamp(iso) { return iso ? iso.replace("T", " ").slice(0, 16) : ""; }
  function duration() {
    return (page.peaks && page.peaks.duration_s) || view.session.duration_s || 1;
  }
  function hasAudio() { return !!page.audio_url; }
  function seek(t) {
    if (!hasAudio() || t === null || t === undefined) return;
    audio.currentTime = Math.max(0, Math.min(t, duration()));
    onTime();
  }
  function instructor() {
    if (viewer) return viewer.name;
    try { return localStorage.getItem(NAME_KEY) || ""; } catch (e) { return ""; }
  }
  async function api(method, url, body) {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({error: response.statusText}));
    return {ok: response.ok, status: response.status, data};
  }
  function fill(box, ...nodes) {
    box.replaceChildren(...nodes.flat(Infinity).filter(n => n !== null && n !== undefined && n !== false));
  }
  function flash(box, message) {
    let note = box.querySelector(":scope > .flash");
    if (!note) { note = el("p", {className: "flash", role: "alert"}); box.prepend(note); }
    note.textContent = message;
  }
  function clearFlash(box) {
    const note = box && box.querySelector(":scope > .flash");
    if (note) note.remove();
  }

  // ---- header: title, summary, score, who is reviewing ---------------------------
  function renderHeader() {
    const s = view.session;
    document.getElementById("title").textContent = s.scenario_title || s.scenario_id;
    fill(document.getElementById("summary"),
      readonly ? s.trainee : el("a", {href: "/trainees/" + encodeURIComponent(s.trainee)}, s.trainee),
      " \u00b7 " + fmtStamp(s.started_at) + " UTC \u00b7 " + fmt(s.duration_s)
        + " \u00b7 outcome " + String(s.outcome || "-").replace("_", " "),
      typed ? el("span", {className: "badge"}, "typed call, no audio") : null,
      s.complete ? null : el("span", {className: "warn"}, " \u00b7 incomplete: " + (s.reason || "")));
    renderScoreLine();
    if (!readonly) {
      fill(document.getElementById("links"),
        el("a", {href: "/trainees/" + encodeURIComponent(s.trainee)}, "trainee progress"), " \u00b7 ",
        el("a", {href: base + "/report.html"}, "export report"), " \u00b7 ",
        el("a", {href: base + ".json"}, "as JSON"));
      renderReviewer();
    }
  }
  function renderScoreLine() {
    const score = view.score, original = view.original_score;
    const box = document.getElementById("score-line");
    if (!score) { fill(box, "Not scored (the call did not finish)."); return; }
    const adjusted = view.overrides.length && original;
    fill(box,
      adjusted ? "Instructor's score " : "Automatic score ",
      el("strong", {id: "score-value"}, String(score.score)), "/100 ",
      el("span", {id: "verdict"}, score.verdict),
      adjusted ? el("span", {className: "muted", id: "original-score"},
                    " (automatic score " + original.score + "/100 " + original.verdict + ")") : null);
  }
  function renderReviewer(message) {
    const box = document.getElementById("reviewer");
    const name = instructor();
    if (viewer) {
      fill(box, "Signed in as ", el("strong", {id: "reviewer-name"}, name),
        viewer.can_annotate ? null : el("span", {className: "muted"}, " (comments and verdicts are the instructors')"));
      return;
    }
    if (name) {
      fill(box, "Reviewing as ", el("strong", {id: "reviewer-name"}, name), " ",
        el("button", {className: "small", type: "button", onclick: () => {
          try { localStorage.removeItem(NAME_KEY); } catch (e) { /* private mode */ }
          renderReviewer();
          document.getElementById("reviewer-input").focus();
        }}, "change"));
      return;
    }
    const input = el("input", {id: "reviewer-input", autocomplete: "name", required: true});
    const form = el("form", {className: "reviewer-form", onsubmit: event => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) { flash(box, "Type your name first."); input.focus(); return; }
      try { localStorage.setItem(NAME_KEY, value); } catch (e) { /* private mode */ }
      renderReviewer();
    }},
      el("label", {for: "reviewer-input"}, "Your name, shown on your comments and verdicts: "),
      input, " ", el("button", {type: "submit"}, "save"));
    fill(box, message ? el("p", {className: "flash", role: "alert"}, message) : null, form);
  }
  function needName(box) {
    if (instructor()) return false;
    renderReviewer("Tell us your name first (asked once in this browser).");
    document.getElementById("reviewer-input").focus();
    if (box) clearFlash(box);
    return true;
  }

  // ---- player: one set of controls, keyboard shortcuts ----------------------------
  let marks = [];  // {t_s, kind, title, quote, button}
  function renderControls() {
    const box = document.getElementById("controls");
    if (!hasAudio()) {
      document.getElementById("player").classList.add("no-audio");
      document.getElementById("player").hidden = typed;
      fill(box, el("p", {className: "muted"}, typed
        ? "A typed call: there is no recording. The transcript and score are below."
        : "The audio is not embedded in this report."));
      return;
    }
    const play = el("button", {id: "play", type: "button", "aria-keyshortcuts": "Space",
                               onclick: togglePlay}, "\u25b6 play");
    audio.addEventListener("play", () => { play.textContent = "\u275a\u275a pause"; tick(); });
    audio.addEventListener("pause", () => { play.textContent = "\u25b6 play"; });
    audio.addEventListener("timeupdate", onTime);
    audio.addEventListener("seeked", onTime);
    fill(box,
      el("button", {type: "button", id: "back", "aria-keyshortcuts": "ArrowLeft",
                    onclick: () => seek(audio.currentTime - SKIP_S)}, "\u2212" + SKIP_S + " s"), " ",
      play, " ",
      el("button", {type: "button", id: "forward", "aria-keyshortcuts": "ArrowRight",
                    onclick: () => seek(audio.currentTime + SKIP_S)}, "+" + SKIP_S + " s"), " ",
      el("button", {type: "button", id: "prev-marker", "aria-keyshortcuts": "J",
                    onclick: () => jump(-1)}, "\u2190 previous marker"), " ",
      el("button", {type: "button", id: "next-marker", "aria-keyshortcuts": "K",
                    onclick: () => jump(1)}, "next marker \u2192"), " ",
      el("span", {className: "clock"}, el("span", {id: "now"}, "0:00.0"), " / " + fmt(duration())));
    document.getElementById("shortcuts").textContent =
      "\u00b7 keys: space play/pause, \u2190 \u2192 5 s, J / K previous / next marker";
    document.addEventListener("keydown", onKey);
  }
  function togglePlay() { if (audio.paused) audio.play(); else audio.pause(); }
  function jump(direction) {
    if (!marks.length) return;
    const t = audio.currentTime || 0;
    const target = direction > 0 ? marks.find(m => m.t_s > t + 0.05)
                                 : [...marks].reverse().find(m => m.t_s < t - 0.05);
    if (!target) return;
    seek(target.t_s);
    target.button.focus();
  }
  function onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (["input", "textarea", "select"].includes(tag) || event.target.isContentEditable) return;
    const key = event.key;
    if (key === " " && tag !== "button" && tag !== "a") { event.preventDefault(); togglePlay(); }
    else if (key === "ArrowLeft") { event.preventDefault(); seek(audio.currentTime - SKIP_S); }
    else if (key === "ArrowRight") { event.preventDefault(); seek(audio.currentTime + SKIP_S); }
    else if (key === "j" || key === "J") { event.preventDefault(); jump(-1); }
    else if (key === "k" || key === "K") { event.preventDefault(); jump(1); }
  }

  // ---- lanes (wavesurfer) and markers ------------------------------------------------
  let regions = null, wave = null, drawing = false, pendingSpan = null;
  function setupWaveform() {
    if (typeof WaveSurfer === "undefined" || !hasAudio()) return;
    regions = WaveSurfer.Regions.create();
    const lanes = (page.peaks && page.peaks.lanes) || {};
    const names = ["trainee", "caller"].filter(n => lanes[n]);
    const colours = {trainee: ["#7fa3c7", "#1f4e79"], caller: ["#c3a6d3", "#6c3483"]};
    const options = {
      container: "#waveform", media: audio, height: 56, normalize: true, cursorColor: "#b03a2e",
      cursorWidth: 2, splitChannels: names.map(n => ({waveColor: colours[n][0],
                                                      progressColor: colours[n][1]})),
      plugins: [regions, WaveSurfer.Timeline.create({
        height: 18, secondaryLabelOpacity: 1,
        style: {color: INK, fontSize: "11px"}})],
    };
    if (names.length) {
      options.peaks = names.map(n => lanes[n]);
      options.duration = page.peaks.duration_s;
    }
    options.url = page.audio_url;
    const laneNames = document.querySelector(".lane-names");
    if (names.length < 2) laneNames.replaceChildren(...names.map(n => el("span", {}, n)));
    wave = WaveSurfer.create(options);
    wave.on("ready", renderRegions);
    wave.on("decode", renderRegions);
    if (annotating) {
      // drag across the lanes to pick the span of a new comment
      regions.enableDragSelection({color: "rgba(108,52,131,0.22)"});
      regions.on("region-created", region => {
        if (drawing) return;
        if (pendingSpan) pendingSpan.remove();
        pendingSpan = region;
        document.getElementById("comment-at").value = region.start.toFixed(1);
        document.getElementById("comment-end").value = region.end.toFixed(1);
        document.getElementById("comment-text").focus();
      });
    }
    regions.on("region-clicked", (region, event) => { event.stopPropagation(); seek(region.start); });
  }
  function renderRegions() {
    if (!regions || !wave || !wave.getDuration()) return;
    drawing = true;
    regions.clearRegions();
    pendingSpan = null;
    for (const c of view.comments) {
      if (c.end_s === null || c.end_s === undefined) continue;
      regions.addRegion({start: c.t_s, end: c.end_s, drag: false, resize: false,
                         color: "rgba(108,52,131,0.16)"});
    }
    drawing = false;
  }
  function renderMarkers() {
    const box = document.getElementById("markers");
    marks = [];
    if (!hasAudio()) { fill(box); return; }
    const span = duration();
    const items = view.markers.map(m => ({...m, label: m.title}))
      .concat(view.comments.map(c => ({t_s: c.t_s, kind: "comment", label: "Comment by " + c.author,
                                       quote: c.text})));
    items.sort((a, b) => a.t_s - b.t_s);
    const buttons = items.map(m => {
      const glyph = m.kind === "fault" ? "\u2717" : m.kind === "comment" ? "\u270e" : "\u2713";
      const tip = el("span", {className: "tip-box", role: "tooltip"},
        el("strong", {}, m.label), " at " + fmt(m.t_s),
        m.quote ? el("span", {className: "q"}, "\u201c" + m.quote + "\u201d") : null);
      const button = el("button", {
        type: "button", className: "marker " + m.kind,
        style: "left:" + Math.min(100, (100 * m.t_s) / span).toFixed(3) + "%",
        "aria-label": m.label + " at " + fmt(m.t_s) + (m.quote ? ": " + m.quote : ""),
        "data-t": m.t_s, onclick: () => seek(m.t_s),
      }, el("span", {"aria-hidden": "true"}, glyph), tip);
      marks.push({...m, button});
      return button;
    });
    fill(box, buttons);
  }

  // ---- tracks (uPlot) --------------------------------------------------------
  const charts = [];
  const AXIS_PX = 52, LABEL_PX = 20;  // the same y axes on every chart: the time axes line up
  function axis(label, extra) {
    return Object.assign({stroke: INK, font: FONT, labelFont: "bold " + FONT, label,
                          labelSize: LABEL_PX, size: AXIS_PX, grid: {stroke: GRID, width: 1},
                          ticks: {stroke: GRID}}, extra || {});
  }
  function cursorPlugin() {
    return {hooks: {draw: [u => {
      const x = u.valToPos(audio.currentTime || 0, "x", true);
      const ctx = u.ctx;
      ctx.save(); ctx.strokeStyle = "#b03a2e"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke(); ctx.restore();
    }]}};
  }
  function chartWidth() { return Math.max(320, document.getElementById("tracks").clientWidth); }
  function addChart(container, opts, data) {
    const box = document.getElementById(container);
    const chart = new uPlot({width: chartWidth(), plugins: [cursorPlugin()], ...opts}, data, box);
    chart.root.setAttribute("aria-hidden", "true");
    chart.over.addEventListener("click", e => seek(chart.posToVal(e.offsetX, "x")));
    charts.push(chart);
  }
  function alignLanes() {
    // the lanes and markers span exactly the charts' plotting area: one time is one x everywhere
    if (!charts.length) return;
    const chart = charts[0], ratio = uPlot.pxRatio || window.devicePixelRatio || 1;
    const left = chart.bbox.left / ratio, width = chart.bbox.width / ratio;
    if (!(width > 0)) return;
    const box = document.querySelector(".lane-wave");
    box.style.marginLeft = Math.max(0, left - document.querySelector(".lane-names").offsetWidth) + "px";
    box.style.marginRight = Math.max(0, chart.width - left - width) + "px";
  }
  function describe(container, text) {
    document.getElementById(container).append(el("p", {className: "sr-only"}, text));
  }
  function addTracksChart(tracks, xScale) {
    if (!tracks.times_s || !tracks.times_s.length) return;
    addChart("tracks", {
      title: "Trainee's pitch and loudness", height: 170, scales: {x: xScale, hz: {}, db: {}},
      series: [{label: "time s"},
               {label: "pitch Hz", scale: "hz", stroke: "#1f4e79", spanGaps: false},
               {label: "loudness dB", scale: "db", stroke: "#a04000"}],
      axes: [axis("time (s)", {size: 40}), axis("pitch (Hz)", {scale: "hz"}),
             axis("loudness (dB)", {scale: "db", side: 1, grid: {show: false}})],
    }, [tracks.times_s, tracks.f0_hz || [], tracks.loudness_db || []]);
    const pitch = (tracks.f0_hz || []).filter(v => v !== null);
    if (pitch.length) {
      const sorted = [...pitch].sort((a, b) => a - b);
      describe("tracks", "Chart of the trainee's pitch and loudness over the call; pitch from "
        + Math.round(sorted[0]) + " to " + Math.round(sorted[sorted.length - 1]) + " Hz.");
    }
  }
  function setupCharts() {
    if (typeof uPlot === "undefined" || !hasAudio()) return;
    const xScale = {time: false, range: () => [0, duration()]};
    if (!view.tracks && view.tracks_url) {
      const box = document.getElementById("tracks");
      box.textContent = "Measuring pitch and loudness\u2026";
      fetch(view.tracks_url, {credentials: "same-origin"}).then(r => (r.ok ? r.json() : null))
        .then(tracks => {
          box.textContent = tracks ? "" : "No pitch and loudness tracks.";
          if (tracks) { view.tracks = tracks; addTracksChart(tracks, xScale); alignLanes(); }
        });
    } else if (view.tracks) {
      addTracksChart(view.tracks, xScale);
    }
    const mood = view.mood.filter(p => p.level !== null && p.level !== undefined);
    if (mood.length) {
      const xs = mood.map(p => p.t_s).concat([duration()]);
      const ys = mood.map(p => p.level).concat([mood[mood.length - 1].level]);
      addChart("mood", {
        title: "Caller's mood (0 calm \u2013 10 furious)", height: 120,
        scales: {x: xScale, y: {range: [0, 10]}},
        axes: [axis("time (s)", {size: 40}), axis("mood"),
               axis("\u00a0", {side: 1, values: () => [], grid: {show: false}})],
        series: [{label: "time s"},
                 {label: "mood", stroke: "#6c3483", fill: "rgba(108,52,131,0.1)",
                  paths: uPlot.paths.stepped({align: 1}),
                  value: (u, v, si, i) => (v === null ? "-" : v + " " + (moodName(i) || ""))}],
      }, [xs, ys]);
      describe("mood", "Chart of the caller's mood: " + mood.map(p => p.mood + " at " + fmt(p.t_s))
        .join(", ") + ".");
    }
    alignLanes();
    window.addEventListener("resize", () => {
      charts.forEach(c => c.setSize({width: chartWidth(), height: c.height}));
      alignLanes();
    });
    function moodName(i) { return i !== null && mood[Math.min(i, mood.length - 1)].mood; }
  }

  // ---- transcript with evidence ---------------------------------------------------
  let words = [];      // timed words, sorted: {start, end, span}
  let turnWords = [];  // per turn: [{text, span}]
  const norm = s => String(s).toLowerCase().replace(/[^a-z0-9']+/g, "");
  function renderTranscript() {
    const box = document.getElementById("transcript");
    words = []; turnWords = [];
    const turns = (view.transcript && view.transcript.turns) || [];
    if (!turns.length) { box.textContent = "No transcript was recorded."; return; }
    const rows = turns.map((turn, index) => {
      const start = turn.start ?? null;
      const next = turns[index + 1];
      const end = turn.end ?? (next && next.start) ?? (start === null ? null : start + 2);
      let list = (turn.words || []).map(w => ({text: w.w ?? w.word, start: w.start, end: w.end}));
      if (!list.length) {
        const parts = (turn.text || "").split(/\s+/).filter(Boolean);
        const step = start === null ? 0 : (end - start) / Math.max(1, parts.length);
        list = parts.map((p, i) => ({text: p, start: start === null ? null : start + i * step,
                                     end: start === null ? null : start + (i + 1) * step,
                                     approx: true}));
      }
      const spans = list.map(w => {
        const span = el("span", {className: "w" + (w.approx ? " approx" : "")}, w.text);
        if (w.start !== null && w.start !== undefined && hasAudio()) {
          span.dataset.start = w.start;
          span.addEventListener("click", () => seek(w.start));
          words.push({start: w.start, end: w.end, span});
        }
        return {text: w.text, span};
      });
      turnWords.push(spans);
      const who = turn.speaker === "trainee" ? "Trainee" : "Caller";
      return el("div", {className: "turn " + turn.speaker, id: "turn-" + index},
        hasAudio() && start !== null
          ? el("button", {type: "button", className: "stamp", onclick: () => seek(start),
                          "aria-label": "play from " + fmt(start) + " (" + who + ")"}, fmt(start))
          : el("span", {className: "stamp"}, "#" + (index + 1)),
        el("span", {className: "who"}, who),
        el("p", {}, spans.map(s => [s.span, " "])));
    });
    if (view.transcript.rebuilt_from_events) {
      rows.unshift(el("p", {className: "warn"}, "Rebuilt from the events log (call not finished)."));
    }
    fill(box, ...rows);
    words.sort((a, b) => a.start - b.start);
    markEvidence();
  }
  function findQuote(turnIndex, quote) {
    // the words of `quote` inside the turn (by their letters), else none
    const spans = turnWords[turnIndex] || [];
    const target = String(quote).split(/\s+/).map(norm).filter(Boolean);
    if (!target.length) return [];
    const said = spans.map(s => norm(s.text));
    for (let i = 0; i + target.length <= said.length; i++) {
      if (target.every((w, k) => said[i + k] === w)) return spans.slice(i, i + target.length);
    }
    return [];
  }
  function evidenceList() {
    const out = [];
    for (const [section, key] of [["steps", "met"], ["checks", "met"], ["faults", "present"]]) {
      for (const [id, item] of Object.entries((view.score || {})[section] || {})) {
        if (!item[key]) continue;
        (item.evidence || []).forEach((ev, n) =>
          out.push({id, n, ev, title: item.title || id, kind: section === "faults" ? "fault" : "step"}));
      }
    }
    return out;
  }
  function markEvidence() {
    for (const {id, n, ev, title, kind} of evidenceList()) {
      const found = findQuote(ev.turn, ev.quote);
      if (!found.length) continue;
      found.forEach((s, i) => {
        s.span.classList.add("ev", kind);
        if (i === 0) {
          s.span.id = "ev-" + id + "-" + n;
          s.span.setAttribute("tabindex", "0");
          s.span.setAttribute("role", "button");
          s.span.setAttribute("aria-label", title + ": " + ev.quote);
          s.span.title = title;
          const go = () => { seek(ev.start); focusItem(id); };
          s.span.addEventListener("click", go);
          s.span.addEventListener("keydown", e => {
            if (e.key === "Enter" || e.key === " ") { e.preventDefault(); e.stopPropagation(); go(); }
          });
        }
      });
    }
  }
  function focusItem(id) {
    const row = document.querySelector(".item[data-item='" + id + "']");
    if (!row) return;
    row.classList.add("flashed");
    setTimeout(() => row.classList.remove("flashed"), 1500);
    row.querySelector("h3, .name").focus();
  }
  function showEvidence(id, n, start) {
    seek(start);
    const span = document.getElementById("ev-" + id + "-" + n);
    if (!span) return;
    span.scrollIntoView({block: "nearest"});
    span.classList.add("flashed");
    setTimeout(() => span.classList.remove("flashed"), 1500);
  }
  let current = null;
  function onTime() {
    const t = audio.currentTime || 0;
    let lo = 0, hi = words.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid].start <= t + 1e-3) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const word = found >= 0 && t <= words[found].end + 0.25 ? words[found] : null;
    if (word !== current) {
      if (current) current.span.classList.remove("current");
      if (word) {
        word.span.classList.add("current");
        const box = document.getElementById("transcript");
        const r = word.span.getBoundingClientRect(), b = box.getBoundingClientRect();
        if (r.top < b.top || r.bottom > b.bottom) word.span.scrollIntoView({block: "nearest"});
      }
      current = word;
    }
    charts.forEach(c => c.redraw(false));
    const now = document.getElementById("now");
    if (now) now.textContent = fmt(t);
  }
  function tick() { onTime(); if (!audio.paused) requestAnimationFrame(tick); }

  // ---- score and verdict overrides ----------------------------------------------------
  const SECTIONS = [["steps", "met", "Steps"], ["checks", "met", "Checks"],
                    ["faults", "present", "Faults"]];
  function stateWord(section, hit) {
    if (section === "faults") return hit ? "present" : "absent";
    return hit ? "met" : "not met";
  }
  function renderScore() {
    const box = document.getElementById("score");
    const score = view.score;
    if (!score) { box.textContent = "No score was saved (the call did not finish)."; return; }
    const byItem = Object.fromEntries(view.overrides.map(o => [o.item_id, o]));
    const original = view.original_score || {};
    const parts = [];
    for (const [section, key, heading] of SECTIONS) {
      const items = score[section] || {};
      if (!Object.keys(items).length) continue;
      parts.push(el("h3", {}, heading));
      const list = el("ul", {className: "items"});
      for (const [id, item] of Object.entries(items)) {
        const hit = !!item[key];
        const good = item.good;
        const override = byItem[id];
        const was = original[section] && original[section][id];
        const evidence = (item.evidence || (was && was.evidence) || []).map((ev, n) =>
          el("button", {type: "button", className: "quote",
                        onclick: () => showEvidence(id, n, ev.start),
                        "aria-label": "show and play the evidence: " + ev.quote},
             "\u201c" + ev.quote + "\u201d",
             ev.start !== undefined && ev.start !== null ? " " + fmt(ev.start) : "",
             ev.found_by ? el("span", {className: "muted"}, " (found by " + ev.found_by + ")") : ""));
        const badge = good === null || good === undefined ? "\u2013" : good ? "\u2713" : "\u2717";
        const row = el("li", {className: "item " + (good === false ? "bad" : good ? "ok" : "na"),
                              "data-item": id},
          el("div", {className: "item-head"},
            el("span", {className: "badge-mark", "aria-hidden": "true"}, badge),
            el("span", {className: "name", tabindex: "-1"}, item.title || id),
            el("span", {className: "sr-only"}, " (" + (good === false ? "counts against" : good ? "counts for" : "not judged") + ")"),
            item.critical && hit ? el("span", {className: "crit"}, "critical") : null,
            annotating ? overrideControl(section, id, key, hit, item, !!override) : null),
          item.in_order === false && hit ? el("div", {className: "muted"}, "met, but far out of the expected order") : null,
          evidence.length ? el("div", {className: "evidence"}, evidence) : null,
          good === false && item.tip ? el("div", {className: "tip"}, "Tip: " + item.tip) : null,
          override ? el("div", {className: "override-note"},
            "Instructor's verdict by " + (override.author || "an instructor") + " ("
            + fmtStamp(override.created_at) + "): " + override.reason + ". Automatic verdict: "
            + stateWord(section, !!(was && was[key])) + ".") : null);
        list.append(row);
      }
      parts.push(list);
    }
    fill(box, ...parts);
  }
  function overrideControl(section, id, key, hit, item, overridden) {
    const holder = el("span", {className: "override"});
    const target = hit ? item.title_missed : item.title_hit;
    const label = section === "faults" ? (hit ? "absent" : "present") : (hit ? "not met" : "met");
    const open = el("button", {type: "button", className: "small", "aria-expanded": "false",
                               "aria-label": "change the verdict of " + item.title,
                               onclick: () => {
      if (needName(holder)) return;
      const reason = el("input", {className: "reason", "aria-label": "why (required)",
                                  placeholder: "why (required)"});
      const save = el("button", {type: "button", className: "small save", onclick: async () => {
        if (!reason.value.trim()) { flash(holder, "Say why before saving."); reason.focus(); return; }
        const result = await api("POST", base + "/overrides",
          {item_id: id, value: !hit, reason: reason.value, author: instructor()});
        if (!result.ok) { flash(holder, result.data.error); return; }
        applyView(result.data);
        focusItem(id);
      }}, "mark " + label + (target && target !== item.title ? ": " + target : ""));
      const cancel = el("button", {type: "button", className: "small", onclick: renderScore}, "cancel");
      fill(holder, reason, " ", save, " ", cancel);
      reason.focus();
    }}, "change verdict");
    holder.append(open);
    if (overridden) {
      holder.append(" ", el("button", {type: "button", className: "small undo", onclick: async () => {
        const result = await api("POST", base + "/overrides", {item_id: id, value: null});
        if (!result.ok) { flash(holder, result.data.error); return; }
        applyView(result.data);
        focusItem(id);
      }}, "back to automatic"));
    }
    return holder;
  }
  function applyView(newView) {
    view = {...view, ...newView};
    renderScoreLine(); renderScore(); renderMarkers(); renderRegions(); renderComments();
    renderTranscript();
  }

  // ---- delivery ---------------------------------------------------------------------
  function renderDelivery() {
    const box = document.getElementById("delivery");
    const d = view.delivery;
    if (!d) { fill(box, typed ? "A typed call has no voice to analyse." : "No voice analysis was saved."); return; }
    const verdict = d.calm === true ? "calm" : d.calm === false ? "not always calm" : "not enough speech to judge";
    const details = [];
    if (d.judged_turns) details.push(d.calm_turns + " of " + d.judged_turns + " turns calm");
    if (d.reference_title) details.push("judged against " + d.reference_title);
    const counts = details.length ? " (" + details.join(", ") + ")" : "";
    const rows = (d.measures || []).map(m =>
      el("tr", {}, el("th", {scope: "row"}, m.title),
         el("td", {className: "num"}, typeof m.value === "number" ? m.value.toFixed(1) : String(m.value)),
         el("td", {className: "muted"}, m.unit)));
    const reasons = (d.reasons || []).map(r =>
      el("li", {},
         r.start_s !== undefined && r.start_s !== null && hasAudio()
           ? el("button", {type: "button", className: "stamp", onclick: () => seek(r.start_s)}, fmt(r.start_s)) : null,
         " ", el("strong", {}, (r.title || r.feature) + ": "),
         (typeof r.value === "number" ? r.value.toFixed(1) : String(r.value ?? "")) + " " + (r.unit || ""),
         r.band ? " (calm " + r.band.map(b => b ?? "\u2026").join("\u2013") + ")" : "",
         r.tip ? " \u2014 " + r.tip : ""));
    fill(box,
      el("p", {className: d.calm === false ? "warn" : "", id: "calm"}, "Voice: " + verdict + counts),
      reasons.length ? el("ul", {className: "reasons"}, reasons) : null,
      (d.tips || []).length ? el("div", {className: "tips"}, el("strong", {}, "Tips"),
                                 el("ul", {}, d.tips.map(t => el("li", {}, t)))) : null,
      rows.length ? el("details", {}, el("summary", {}, "All measures"),
                       el("table", {className: "features"}, el("tbody", {}, rows))) : null);
  }

  // ---- comments ---------------------------------------------------------------------
  function renderComments() {
    const box = document.getElementById("comments");
    const list = [...view.comments].sort((a, b) => a.t_s - b.t_s || a.id - b.id);
    if (!list.length) fill(box, el("p", {className: "muted"}, "No comments yet."));
    else fill(box, ...list.map(commentRow));
  }
  function commentRow(c) {
    const span = fmt(c.t_s) + (c.end_s !== null && c.end_s !== undefined ? "\u2013" + fmt(c.end_s) : "");
    const row = el("div", {className: "comment", "data-id": c.id},
      hasAudio() ? el("button", {type: "button", className: "stamp", onclick: () => seek(c.t_s),
                                 "aria-label": "play from " + span}, span)
                 : el("span", {className: "stamp"}, typed ? "turn " + (Math.round(c.t_s) + 1) : span),
      el("div", {className: "text"}, c.text),
      el("div", {className: "muted"}, c.author + " \u00b7 " + fmtStamp(c.created_at)
         + (c.version > 1 ? " \u00b7 edited " + fmtStamp(c.updated_at) : "")));
    if (annotating) {
      row.append(el("button", {type: "button", className: "small edit", onclick: () => editComment(row, c)}, "edit"),
                 " ",
                 el("button", {type: "button", className: "small delete", onclick: async () => {
                   const r = await api("DELETE", base + "/comments/" + c.id + "?version=" + c.version);
                   if (!r.ok) { flash(row, r.data.error); return; }
                   view.comments = view.comments.filter(x => x.id !== c.id);
                   renderComments(); renderRegions(); renderMarkers();
                 }}, "delete"));
    }
    return row;
  }
  function editComment(row, c, kept) {
    const area = el("textarea", {className: "edit-text", "aria-label": "comment text"});
    area.value = kept ?? c.text;
    const save = el("button", {type: "button", className: "small save", onclick: async () => {
      const r = await api("PUT", base + "/comments/" + c.id, {text: area.value, version: c.version});
      if (r.status === 409 && r.data.current) {
        const theirs = r.data.current;
        replaceComment(theirs);
        const fresh = document.querySelector(".comment[data-id='" + c.id + "']");
        editComment(fresh, theirs, area.value);
        flash(fresh, "Someone else changed this comment meanwhile (now: \u201c" + theirs.text
              + "\u201d). Your text is kept below: save again to replace theirs, or cancel.");
        return;
      }
      if (!r.ok) { flash(row, r.data.error); return; }
      replaceComment(r.data);
    }}, "save");
    const cancel = el("button", {type: "button", className: "small", onclick: () => renderComments()}, "cancel");
    fill(row, ...[...row.childNodes].slice(0, 1), area, save, " ", cancel);
    area.focus();
  }
  function replaceComment(c) {
    view.comments = view.comments.map(x => (x.id === c.id ? c : x));
    renderComments(); renderRegions(); renderMarkers();
  }
  function renderCommentForm() {
    const box = document.getElementById("comment-form-box");
    if (!annotating) return;
    const at = el("input", {id: "comment-at", type: "number", step: typed ? "1" : "0.1",
                            min: typed ? "1" : "0", value: typed ? "1" : "0"});
    const end = el("input", {id: "comment-end", type: "number", step: "0.1", min: "0"});
    const text = el("textarea", {id: "comment-text"});
    const add = el("button", {type: "submit", id: "comment-add"}, "add comment");
    const form = el("form", {className: "comment-form", onsubmit: async event => {
      event.preventDefault();
      if (needName(box)) return;
      const t_s = typed ? Math.max(0, (parseInt(at.value, 10) || 1) - 1) : parseFloat(at.value) || 0;
      const body = {t_s, text: text.value, author: instructor(),
                    end_s: end.value === "" ? null : parseFloat(end.value)};
      const r = await api("POST", base + "/comments", body);
      if (!r.ok) { flash(box, r.data.error); return; }
      clearFlash(box);
      view.comments.push(r.data); text.value = ""; end.value = "";
      renderComments(); renderRegions(); renderMarkers();
    }},
      el("label", {for: "comment-at"}, typed ? "at turn # " : "at second "), at,
      hasAudio() ? el("button", {type: "button", className: "small", onclick: () => {
        at.value = (audio.currentTime || 0).toFixed(1);
      }}, "now") : null,
      hasAudio() ? [el("label", {for: "comment-end"}, " to second "), end] : null,
      hasAudio() ? el("span", {className: "muted hint"}, "or drag across the recording to pick a span") : null,
      el("label", {for: "comment-text", className: "block"}, "Comment"), text, add);
    fill(box, form);
  }

  renderHeader();
  renderControls();
  setupWaveform();
  if (!wave && page.audio_url) audio.src = page.audio_url;
  setupCharts();
  renderMarkers();
  renderTranscript();
  renderScore();
  renderDelivery();
  renderComments();
  renderCommentForm();
  onTime();
  window.voicecoach = {seek, get view() { return view; }, audio, get wave() { return wave; }, charts};
})();
