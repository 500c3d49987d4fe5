/* VoiceCoach session replay: audio + waveform (wavesurfer.js), tracks (uPlot),
   transcript synced with playback, score with overrides, comments.
   Data comes from the page (#page-data); `readonly` pages (exported reports) have no server. */
(function () {
  "use strict";
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  const readonly = !!page.readonly;
  let view = page;
  const sid = view.session.id;
  const audio = document.getElementById("audio");
  const base = "/sessions/" + encodeURIComponent(sid);

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
  function seek(t) {
    audio.currentTime = Math.max(0, t);
    onTime();
  }
  function author() { return (document.getElementById("author") || {}).value || ""; }
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
    let note = box.querySelector(".flash");
    if (!note) { note = el("p", {className: "flash", role: "alert"}); box.prepend(note); }
    note.textContent = message;
  }

  // ---- summary ---------------------------------------------------------------
  function renderSummary() {
    const s = view.session, score = view.score, original = view.original_score;
    document.getElementById("title").textContent =
      s.trainee + " · " + s.scenario_id + " · " + fmtStamp(s.started_at);
    const box = document.getElementById("summary");
    fill(box,
      el("span", {}, "protocol " + s.protocol + " · length " + fmt(s.duration_s) + " · outcome "
         + (s.outcome || "-")),
      s.complete ? null : el("span", {className: "warn"}, " · incomplete: " + (s.reason || "")),
      el("div", {className: "big"},
         "Score ", el("strong", {id: "score-value"}, score ? String(score.score) : "-"),
         " ", el("span", {id: "verdict"}, score ? "(" + score.verdict + ")" : ""),
         view.overrides.length && original
           ? el("span", {className: "muted", id: "original-score"},
                " coach's original: " + original.score + " (" + original.verdict + ")")
           : null),
      readonly ? null : el("div", {className: "links"},
        el("a", {href: "/trainees/" + encodeURIComponent(s.trainee)}, "trainee progress"), " · ",
        el("a", {href: base + "/report.html"}, "export report"), " · ",
        el("a", {href: base + ".json"}, "as JSON")),
    );
  }

  // ---- waveform and markers --------------------------------------------------
  let regions = null, wave = null, drawing = false, pendingSpan = null;
  function setupWaveform() {
    if (typeof WaveSurfer === "undefined") return;
    regions = WaveSurfer.Regions.create();
    const options = {
      container: "#waveform", media: audio, height: 96, normalize: true,
      waveColor: "#9fb3c8", progressColor: "#2f5d8a", cursorColor: "#c0392b",
      plugins: [regions, WaveSurfer.Timeline.create({height: 16})],
    };
    if (page.peaks) { options.peaks = [page.peaks.peaks]; options.duration = page.peaks.duration_s; }
    if (page.audio_url) options.url = page.audio_url;
    wave = WaveSurfer.create(options);
    wave.on("ready", renderRegions);
    wave.on("decode", renderRegions);
    regions.on("region-clicked", (region, event) => { event.stopPropagation(); seek(region.start); });
    if (!readonly) {
      // drag across the waveform to pick the span of a new comment
      regions.enableDragSelection({color: "rgba(142,68,173,0.25)"});
      regions.on("region-created", region => {
        if (drawing) return;
        if (pendingSpan) pendingSpan.remove();
        pendingSpan = region;
        document.getElementById("comment-at").value = region.start.toFixed(1);
        document.getElementById("comment-end").value = region.end.toFixed(1);
        document.getElementById("comment-text").focus();
      });
    }
  }
  function renderRegions() {
    if (!regions || !wave || !wave.getDuration()) return;  // positions need the duration
    drawing = true;
    regions.clearRegions();
    pendingSpan = null;
    for (const marker of view.markers) {
      regions.addRegion({
        start: marker.t_s, drag: false, resize: false,
        color: marker.kind === "fault" ? "rgba(192,57,43,0.9)" : "rgba(39,174,96,0.9)",
        content: el("span", {className: "marker-label " + marker.kind,
                             title: marker.id + ": \u201c" + marker.quote + "\u201d"},
                    marker.kind === "fault" ? "\u26a0" : "\u2713"),
      });
    }
    for (const c of view.comments) {
      regions.addRegion({
        start: c.t_s, end: c.end_s === null ? undefined : c.end_s, drag: false, resize: false,
        color: c.end_s === null ? "rgba(142,68,173,0.9)" : "rgba(142,68,173,0.18)",
        content: el("span", {className: "marker-label comment", title: c.author + ": " + c.text},
                    "\u270e"),
      });
    }
    drawing = false;
  }

  // ---- tracks (uPlot) --------------------------------------------------------
  const charts = [];
  const AXIS_PX = 48, LABEL_PX = 20;  // same y axes on every chart: their time axes line up
  function cursorPlugin() {
    return {hooks: {draw: [u => {
      const x = u.valToPos(audio.currentTime || 0, "x", true);
      const ctx = u.ctx;
      ctx.save(); ctx.strokeStyle = "#c0392b"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke(); ctx.restore();
    }]}};
  }
  function chartWidth() { return Math.max(320, document.getElementById("tracks").clientWidth); }
  function addChart(container, opts, data) {
    const chart = new uPlot({width: chartWidth(), plugins: [cursorPlugin()], ...opts}, data,
                            document.getElementById(container));
    chart.over.addEventListener("click", e => seek(chart.posToVal(e.offsetX, "x")));
    charts.push(chart);
  }
  function alignWaveform() {
    // the waveform spans exactly the charts' plotting area, so one time is one x everywhere
    if (!charts.length) return;
    const chart = charts[0], ratio = uPlot.pxRatio || window.devicePixelRatio || 1;
    const left = chart.bbox.left / ratio, width = chart.bbox.width / ratio;
    if (!(width > 0)) return;
    const box = document.getElementById("waveform");
    box.style.marginLeft = left + "px";
    box.style.marginRight = Math.max(0, chart.width - left - width) + "px";
  }
  function addTracksChart(tracks, xScale) {
    if (!tracks.times_s || !tracks.times_s.length) return;
    addChart("tracks", {
      title: "Trainee pitch and loudness", height: 170, scales: {x: xScale, hz: {}, db: {}},
      series: [{label: "time s"},
               {label: "pitch Hz", scale: "hz", stroke: "#2980b9", spanGaps: false},
               {label: "loudness dB", scale: "db", stroke: "#e67e22"}],
      axes: [{}, {scale: "hz", label: "Hz", size: AXIS_PX, labelSize: LABEL_PX},
             {scale: "db", side: 1, label: "dB", size: AXIS_PX, labelSize: LABEL_PX,
              grid: {show: false}}],
    }, [tracks.times_s, tracks.f0_hz || [], tracks.loudness_db || []]);
  }
  function setupCharts() {
    if (typeof uPlot === "undefined") return;
    const duration = (page.peaks && page.peaks.duration_s) || view.session.duration_s || 1;
    const xScale = {time: false, range: () => [0, duration]};
    if (!view.tracks && view.tracks_url) {
      const box = document.getElementById("tracks");
      box.textContent = "Measuring pitch and loudness\u2026";
      fetch(view.tracks_url, {credentials: "same-origin"}).then(r => (r.ok ? r.json() : null))
        .then(tracks => {
          box.textContent = tracks ? "" : "No pitch and loudness tracks.";
          if (tracks) { view.tracks = tracks; addTracksChart(tracks, xScale); alignWaveform(); }
        });
    } else if (view.tracks) {
      addTracksChart(view.tracks, xScale);
    }
    const mood = view.mood.filter(p => p.level !== null && p.level !== undefined);
    if (mood.length) {
      const xs = mood.map(p => p.t_s).concat([duration]);
      const ys = mood.map(p => p.level).concat([mood[mood.length - 1].level]);
      addChart("mood", {
        title: "Caller mood (0 calm \u2013 10 furious)", height: 120,
        scales: {x: xScale, y: {range: [0, 10]}},
        axes: [{}, {size: AXIS_PX, label: "anger", labelSize: LABEL_PX},
               {side: 1, size: AXIS_PX, label: "\u00a0", labelSize: LABEL_PX, values: () => [],
                grid: {show: false}}],
        series: [{label: "time s"},
                 {label: "anger", stroke: "#8e44ad", fill: "rgba(142,68,173,0.1)",
                  paths: uPlot.paths.stepped({align: 1}),
                  value: (u, v, si, i) => (v === null ? "-" : v + " " + (moodName(i) || ""))}],
      }, [xs, ys]);
    }
    alignWaveform();
    window.addEventListener("resize", () => {
      charts.forEach(c => c.setSize({width: chartWidth(), height: c.height}));
      alignWaveform();
    });
    function moodName(i) { return i !== null && mood[Math.min(i, mood.length - 1)].mood; }
  }

  // ---- transcript --------------------------------------------------------------
  let words = [];
  function renderTranscript() {
    const box = document.getElementById("transcript");
    words = [];
    const turns = (view.transcript && view.transcript.turns) || [];
    if (!turns.length) { box.textContent = "No transcript was recorded."; return; }
    const rows = turns.map((turn, index) => {
      const start = turn.start ?? 0;
      const next = turns[index + 1];
      const end = turn.end ?? (next && next.start) ?? start + 2;
      let turnWords = (turn.words || []).map(w => ({text: w.w ?? w.word, start: w.start, end: w.end}));
      if (!turnWords.length) {
        const parts = (turn.text || "").split(/\s+/).filter(Boolean);
        const step = (end - start) / Math.max(1, parts.length);
        turnWords = parts.map((p, i) => ({text: p, start: start + i * step,
                                          end: start + (i + 1) * step, approx: true}));
      }
      const spans = turnWords.map(w => {
        const span = el("span", {className: "w" + (w.approx ? " approx" : ""),
                                 "data-start": w.start, "data-end": w.end,
                                 onclick: () => seek(w.start)}, w.text);
        words.push({start: w.start, end: w.end, span});
        return [span, " "];
      });
      return el("div", {className: "turn " + turn.speaker},
        el("button", {className: "stamp", onclick: () => seek(start),
                      title: "play from here"}, fmt(start)),
        el("span", {className: "who"}, turn.speaker === "trainee" ? "Trainee" : "Caller"),
        el("p", {}, spans));
    });
    if (view.transcript.rebuilt_from_events) {
      rows.unshift(el("p", {className: "warn"}, "Rebuilt from the events log (call not finished)."));
    }
    fill(box, ...rows);
    words.sort((a, b) => a.start - b.start);
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

  // ---- score and overrides ---------------------------------------------------------
  const SECTIONS = [["steps", "met", "met", "not met", true], ["checks", "met", "met", "not met", true],
                    ["faults", "present", "present", "absent", false]];
  function renderScore() {
    const box = document.getElementById("score");
    const score = view.score;
    if (!score) { box.textContent = "No score was saved (the call did not finish)."; return; }
    const byItem = Object.fromEntries(view.overrides.map(o => [o.item_id, o]));
    const original = view.original_score || {};
    const parts = [];
    for (const [section, key, yes, no, good] of SECTIONS) {
      const items = score[section] || {};
      if (!Object.keys(items).length) continue;
      parts.push(el("h3", {}, section));
      for (const [id, item] of Object.entries(items)) {
        const hit = !!item[key];
        const ok = hit === good;
        const override = byItem[id];
        const was = original[section] && original[section][id];
        const evidence = (item.evidence || (was && was.evidence) || []).map(ev =>
          el("button", {className: "quote", onclick: () => seek(ev.start ?? 0),
                        title: "play the evidence"},
             "\u201c" + ev.quote + "\u201d" + (ev.start !== undefined && ev.start !== null
                                               ? " @" + fmt(ev.start) : "")));
        const row = el("div", {className: "item " + (ok ? "ok" : "bad"), "data-item": id},
          el("span", {className: "badge"}, ok ? "\u2713" : "\u2717"), " ",
          el("strong", {}, id), " ", el("span", {className: "state"}, hit ? yes : no),
          item.required === false ? el("span", {className: "muted"}, " (not required)") : null,
          item.in_order === false ? el("span", {className: "muted"}, " (out of order)") : null,
          el("div", {className: "evidence"}, evidence),
          !hit && item.tip ? el("div", {className: "tip"}, "tip: " + item.tip) : null,
          override ? el("div", {className: "override-note"},
            "overridden by " + override.author + " (" + fmtStamp(override.created_at) + "): "
            + override.reason + " \u2014 coach said " + (was && was[key] ? yes : no)) : null);
        if (!readonly) row.append(overrideControl(id, key, hit, yes, no, !!override));
        parts.push(row);
      }
    }
    fill(box, ...parts);
  }
  function overrideControl(id, key, hit, yes, no, overridden) {
    const holder = el("div", {className: "override"});
    const open = el("button", {className: "small", onclick: () => {
      const reason = el("input", {placeholder: "reason (required)", className: "reason",
                                  "aria-label": "override reason"});
      const save = el("button", {className: "small save", onclick: async () => {
        const result = await api("POST", base + "/overrides",
                                 {item_id: id, value: !hit, reason: reason.value, author: author()});
        if (!result.ok) { flash(holder, result.data.error); return; }
        applyView(result.data);
      }}, "mark " + (hit ? no : yes));
      fill(holder, reason, save);
      reason.focus();
    }}, "override");
    holder.append(open);
    if (overridden) {
      holder.append(" ", el("button", {className: "small undo", onclick: async () => {
        const result = await api("POST", base + "/overrides", {item_id: id, value: null});
        if (!result.ok) { flash(holder, result.data.error); return; }
        applyView(result.data);
      }}, "undo override"));
    }
    return holder;
  }
  function applyView(newView) {
    view = {...view, ...newView};
    renderSummary(); renderScore(); renderRegions(); renderComments();
  }

  // ---- delivery ---------------------------------------------------------------------
  function renderDelivery() {
    const box = document.getElementById("delivery");
    const d = view.delivery;
    if (!d) { fill(box, "No delivery analysis was saved."); return; }
    const verdict = d.calm === true ? "calm" : d.calm === false ? "not always calm" : "not enough speech";
    const counts = d.judged_turns ? " (" + d.calm_turns + " of " + d.judged_turns + " turns calm)" : "";
    const features = Object.entries(d.features || {}).map(([k, v]) =>
      el("tr", {}, el("td", {}, k), el("td", {className: "num"},
                                       typeof v === "number" ? v.toFixed(2) : String(v))));
    const reasons = (d.reasons || []).map(r =>
      el("li", {},
         r.start_s !== undefined && r.start_s !== null
           ? el("button", {className: "stamp", onclick: () => seek(r.start_s)}, fmt(r.start_s)) : null,
         " ", el("strong", {}, r.feature + ": "), String(r.value ?? "") + " " + (r.unit || ""),
         r.band ? " (calm " + r.band.map(b => b ?? "\u2026").join("\u2013") + ")" : "",
         " \u2014 ", r.tip || ""));
    fill(box,
      el("p", {className: d.calm === false ? "warn" : "", id: "calm"}, "Voice: " + verdict + counts),
      features.length ? el("table", {className: "features"}, features) : null,
      reasons.length ? el("ul", {className: "reasons"}, reasons) : null,
      (d.tips || []).length ? el("div", {className: "tips"}, el("strong", {}, "Tips"),
                                 el("ul", {}, d.tips.map(t => el("li", {}, t)))) : null);
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
    const text = el("div", {className: "text"}, c.text);
    const row = el("div", {className: "comment", "data-id": c.id},
      el("button", {className: "stamp", onclick: () => seek(c.t_s)}, span), text,
      el("div", {className: "muted"}, c.author + " \u00b7 " + fmtStamp(c.created_at)
         + (c.version > 1 ? " \u00b7 edited " + fmtStamp(c.updated_at) : "")));
    if (!readonly) {
      row.append(el("button", {className: "small edit", onclick: () => editComment(row, c)}, "edit"),
                 " ",
                 el("button", {className: "small delete", onclick: async () => {
                   const r = await api("DELETE", base + "/comments/" + c.id + "?version=" + c.version);
                   if (!r.ok) { flash(row, r.data.error); return; }
                   view.comments = view.comments.filter(x => x.id !== c.id);
                   renderComments(); renderRegions();
                 }}, "delete"));
    }
    return row;
  }
  function editComment(row, c, kept) {
    const area = el("textarea", {className: "edit-text", "aria-label": "comment text"});
    area.value = kept ?? c.text;
    const save = el("button", {className: "small save", onclick: async () => {
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
      replaceComment(r.data); renderComments(); renderRegions();
    }}, "save");
    const cancel = el("button", {className: "small", onclick: () => renderComments()}, "cancel");
    fill(row, ...[...row.childNodes].slice(0, 1), area, save, " ", cancel);
    area.focus();
  }
  function replaceComment(c) {
    view.comments = view.comments.map(x => (x.id === c.id ? c : x));
    renderComments(); renderRegions();
  }
  function renderCommentForm() {
    const box = document.getElementById("comment-form-box");
    if (readonly) return;
    const at = el("input", {id: "comment-at", type: "number", step: "0.1", min: "0", value: "0",
                            "aria-label": "at second"});
    const end = el("input", {id: "comment-end", type: "number", step: "0.1", min: "0",
                             placeholder: "end (optional)", "aria-label": "until second"});
    const text = el("textarea", {id: "comment-text", placeholder: "Your comment",
                                 "aria-label": "comment"});
    const who = el("input", {id: "author", placeholder: "your name", "aria-label": "your name"});
    who.value = localStorage.getItem("voicecoach.author") || "";
    who.addEventListener("change", () => localStorage.setItem("voicecoach.author", who.value));
    const add = el("button", {id: "comment-add", onclick: async () => {
      const body = {t_s: parseFloat(at.value) || 0, text: text.value, author: who.value,
                    end_s: end.value === "" ? null : parseFloat(end.value)};
      const r = await api("POST", base + "/comments", body);
      if (!r.ok) { flash(box, r.data.error); return; }
      localStorage.setItem("voicecoach.author", who.value);
      view.comments.push(r.data); text.value = ""; end.value = "";
      renderComments(); renderRegions();
    }}, "add comment");
    const now = el("button", {className: "small", onclick: () => {
      at.value = (audio.currentTime || 0).toFixed(1);
    }}, "at current time");
    fill(box, el("div", {className: "comment-form"},
      el("label", {}, "at ", at, " s"), " ", now, " ", el("label", {}, "to ", end, " s"),
      el("span", {className: "muted hint"}, "or drag across the waveform to pick a span"),
      text, el("label", {}, "by ", who), add));
  }

  // ---- controls -------------------------------------------------------------------------
  function renderControls() {
    const play = el("button", {id: "play", onclick: () => (audio.paused ? audio.play() : audio.pause())},
                    "\u25b6 play");
    audio.addEventListener("play", () => { play.textContent = "\u275a\u275a pause"; tick(); });
    audio.addEventListener("pause", () => { play.textContent = "\u25b6 play"; });
    audio.addEventListener("timeupdate", onTime);
    audio.addEventListener("seeked", onTime);
    const bar = el("div", {className: "controls"}, play, " ", el("span", {id: "now"}, "0:00.0"),
                   " / " + fmt((page.peaks && page.peaks.duration_s) || view.session.duration_s));
    audio.before(bar);
    if (!page.audio_url) {
      audio.hidden = true;
      bar.append(el("span", {className: "muted"}, " (audio not embedded in this report)"));
    }
  }

  renderSummary();
  renderControls();
  setupWaveform();
  if (!wave && page.audio_url) audio.src = page.audio_url;
  setupCharts();
  renderTranscript();
  renderScore();
  renderDelivery();
  renderComments();
  renderCommentForm();
  onTime();
  window.voicecoach = {seek, get view() { return view; }, audio, get wave() { return wave; }};
})();
