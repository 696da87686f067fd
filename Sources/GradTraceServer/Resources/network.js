'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let ws = null, ready = null, frame = null, selectedWeight = null, selectedPoint = null, csv = null;
  const explainIntro = $('explain').innerHTML;
  let losses = [];
  const redraws = [];
  const buttons = ['play', 'pause', 'step', 'reset'];

  function setStatus(text) { $('status').textContent = text; }
  function showError(error) {
    const box = $('error');
    box.textContent = error.text || (error.message + (error.help ? '\nhelp: ' + error.help : ''));
    box.hidden = false;
  }
  function clearError() { $('error').hidden = true; }
  function num(id) { const v = $(id).value.trim(); return v === '' ? undefined : Number(v); }
  function shown(x, digits) { return x === null || x === undefined ? '—' : (typeof x === 'number' ? x.toPrecision(digits || 4) : String(x)); }
  function percent(x) { return x === null || x === undefined ? '—' : (x * 100).toFixed(1) + '%'; }

  function options() {
    const hidden = $('hidden').value.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
    const own = $('dataset').value === 'csv' && csv;
    return {
      dataset: own ? undefined : $('dataset').value, csv: own ? csv.text : undefined, csvName: own ? csv.name : undefined,
      points: own ? undefined : num('points'), noise: own ? undefined : num('noise'), validation: num('validation'), seed: num('seed'),
      hidden: hidden, activation: $('activation').value, loss: $('loss').value, optimizer: $('optimizer').value,
      learningRate: num('learning-rate'), batchSize: num('batch-size'), l2: num('l2'), stepsPerSecond: num('speed'),
    };
  }

  function send(message) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message)); }

  let startOptions = null; // what the socket sends once it is open
  function connect() {
    clearError();
    startOptions = options();
    if (ws && ws.readyState === WebSocket.OPEN) { send({ type: 'start', options: startOptions }); setStatus('building the network…'); return; }
    if (ws && ws.readyState === WebSocket.CONNECTING) return; // one socket: it sends the latest options when it opens
    setStatus('connecting…');
    ws = new WebSocket('ws' + location.protocol.slice(4) + '//' + location.host + '/api/network/live'); // ws: or wss:, as the page
    ws.onopen = () => { setStatus('building the network…'); send({ type: 'start', options: startOptions }); };
    ws.onmessage = (event) => handle(JSON.parse(event.data));
    ws.onclose = () => { setStatus('disconnected: press New network to start again'); buttons.forEach((b) => { $(b).disabled = true; }); ws = null; };
  }

  function handle(m) {
    if (m.ok === false) { showError(m.error || { message: 'error' }); return; }
    if (m.type === 'ready') { onReady(m); } else if (m.type === 'frame') { onFrame(m); } else if (m.type === 'weight' || m.type === 'point') { onExplanation(m); } else if (m.type === 'points') { onPoints(m); }
  }

  function onReady(m) {
    clearError();
    ready = m; frame = null; losses = []; selectedWeight = null; selectedPoint = null;
    $('explain').innerHTML = explainIntro; $('explain-title').textContent = 'Explanation'; $('weight-pick').value = '';
    $('source').textContent = m.model.source;
    $('command').textContent = m.model.command;
    const pick = $('weight-pick');
    while (pick.options.length > 1) pick.remove(1);
    m.model.parameters.forEach((name, i) => { const o = document.createElement('option'); o.value = String(i); o.textContent = name; pick.appendChild(o); });
    fillPointPick();
    buttons.forEach((b) => { $(b).disabled = false; });
    setStatus('ready: ' + m.model.trainingRows + ' training rows, ' + m.model.validationRows + ' validation rows, ' + m.model.parameters.length + ' parameters');
    document.body.dataset.ready = '1';
    document.body.dataset.trainingRows = String(m.model.trainingRows);
    document.body.dataset.validationRows = String(m.model.validationRows);
  }

  function onPoints(m) {
    ready.training = m.training; ready.grid = m.grid;
    if (selectedPoint && selectedPoint.set === 'training') selectedPoint = null; // its row number may have moved
    fillPointPick();
    setStatus(m.change + ' a point: ' + m.training.length + ' training rows; the run goes on from these weights');
    document.body.dataset.trainingRows = String(m.training.length);
  }

  // The keyboard's way to a point (the plot answers clicks only): every row, by set and number.
  function fillPointPick() {
    const pick = $('point-pick'), label = (p) => '(' + shown(p[0], 3) + ', ' + shown(p[1], 3) + '), y = ' + (p[2] > 0 ? 1 : 0);
    while (pick.options.length > 1) pick.remove(1);
    for (const [set, rows] of [['training', ready.training], ['validation', ready.validation]]) {
      rows.forEach((p, i) => { const o = document.createElement('option'); o.value = set + ':' + i; o.textContent = set + ' row ' + (i + 1) + ' ' + label(p); pick.appendChild(o); });
    }
  }

  function onFrame(f) {
    frame = f;
    if (!losses.length || losses[losses.length - 1].step !== f.step) losses.push({ step: f.step, train: f.trainingLoss, val: f.validationLoss });
    if (losses.length > 2000) losses = losses.filter((_, i) => i % 2 === 0);
    $('m-step').textContent = String(f.step);
    $('m-epoch').textContent = String(f.epoch);
    $('m-rate').textContent = f.stepsPerSecond.toFixed(0);
    $('m-train-loss').textContent = shown(f.trainingLoss);
    $('m-train-acc').textContent = percent(f.trainingAccuracy);
    $('m-val-loss').textContent = shown(f.validationLoss);
    $('m-val-acc').textContent = percent(f.validationAccuracy);
    document.body.dataset.step = String(f.step);
    document.body.dataset.validationAccuracy = f.validationAccuracy === null || f.validationAccuracy === undefined ? '' : String(f.validationAccuracy);
    drawBoundary(); drawNetwork(); drawChart();
    const now = performance.now();
    redraws.push(now);
    while (redraws.length && redraws[0] < now - 2000) redraws.shift();
    const rate = redraws.length > 1 ? (redraws.length - 1) / ((redraws[redraws.length - 1] - redraws[0]) / 1000) : 0;
    $('m-redraws').textContent = f.running ? rate.toFixed(0) : '0';
    document.body.dataset.redraws = rate.toFixed(1);
    if (f.divergence) showError({ message: f.divergence });
    if (f.finished) setStatus('the run is over after ' + f.step + ' steps: reset to train again');
    else if (f.running || f.step > 0) setStatus(f.running ? 'training…' : 'paused at step ' + f.step); // at step 0 the ready line stays
  }

  function onExplanation(m) {
    const box = $('explain');
    if (m.type === 'weight') {
      $('explain-title').textContent = 'Gradient of ' + m.parameter + ' at step ' + m.step;
    } else {
      $('explain-title').textContent = (m.set === 'validation' ? 'Validation' : 'Training') + ' row ' + (m.row + 1) + ' at step ' + m.step
        + ' (y = ' + m.y + ', score ' + shown(m.score) + ', loss ' + shown(m.loss) + ')';
    }
    box.innerHTML = m.html; // the library's escaped HTML
    document.body.dataset.explained = m.type;
  }

  // ---- drawing (numbers from the server, placed on the canvas) ----
  const regionColors = ['#f8d4d4', '#cfe2f8'], pointColors = ['#cf222e', '#0969da'];
  function toPixel(x, y, canvas) {
    const g = ready.grid;
    return [(x - g.xMin) / (g.xMax - g.xMin) * canvas.width, canvas.height - (y - g.yMin) / (g.yMax - g.yMin) * canvas.height];
  }
  function drawBoundary() {
    const canvas = $('boundary'), ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!ready || !frame) return;
    const n = ready.grid.resolution, cw = canvas.width / n, ch = canvas.height / n;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        ctx.fillStyle = regionColors[frame.cells.charCodeAt(r * n + c) - 48] || '#eee';
        ctx.fillRect(Math.floor(c * cw), Math.floor(canvas.height - (r + 1) * ch), Math.ceil(cw), Math.ceil(ch));
      }
    }
    const sets = [['training', ready.training], ['validation', ready.validation]];
    for (const [set, rows] of sets) {
      rows.forEach((p, i) => {
        const [px, py] = toPixel(p[0], p[1], canvas);
        // Class by shape as well as colour: y = 0 round, y = 1 square.
        const r = set === 'training' ? 3.5 : 4;
        ctx.beginPath();
        if (p[2] > 0) ctx.rect(px - r, py - r, 2 * r, 2 * r); else ctx.arc(px, py, r, 0, 2 * Math.PI);
        if (set === 'training') { ctx.fillStyle = pointColors[p[2] > 0 ? 1 : 0]; ctx.fill(); ctx.strokeStyle = '#fff'; ctx.lineWidth = 0.8; ctx.stroke(); }
        else { ctx.strokeStyle = pointColors[p[2] > 0 ? 1 : 0]; ctx.lineWidth = 2; ctx.stroke(); }
        if (set === 'training' && i === 0) canvas.dataset.firstPoint = px.toFixed(1) + ',' + py.toFixed(1);
        if (selectedPoint && selectedPoint.set === set && selectedPoint.row === i) {
          ctx.beginPath(); ctx.arc(px, py, 8, 0, 2 * Math.PI); ctx.strokeStyle = '#1f2328'; ctx.lineWidth = 2; ctx.stroke();
        }
      });
    }
  }

  function unitPositions(canvas) {
    const layers = ready.model.layers, pos = [];
    const maxUnits = Math.max.apply(null, layers);
    layers.forEach((count, k) => {
      const x = 30 + k * (canvas.width - 60) / (layers.length - 1);
      const gap = Math.min(20, (canvas.height - 40) / Math.max(1, maxUnits - 1));
      const top = canvas.height / 2 - gap * (count - 1) / 2;
      pos.push(Array.from({ length: count }, (_, i) => [x, top + i * gap]));
    });
    return pos;
  }
  function edgeEnds(e, pos) { return [pos[e[0]][e[1]], pos[e[0] + 1][e[2]]]; }

  function drawNetwork() {
    const canvas = $('network'), ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!ready || !frame) return;
    const pos = unitPositions(canvas), w = frame.weights;
    let largest = 1e-9;
    ready.model.edges.forEach((e) => { largest = Math.max(largest, Math.abs(w[e[3]])); });
    ready.model.edges.forEach((e) => {
      const [a, b] = edgeEnds(e, pos), v = w[e[3]];
      ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]);
      ctx.strokeStyle = v >= 0 ? 'rgba(9,105,218,0.55)' : 'rgba(207,34,46,0.55)';
      ctx.lineWidth = 0.3 + 3.7 * Math.abs(v) / largest;
      ctx.setLineDash(v < 0 && selectedWeight !== e[3] ? [5, 3] : []); // the sign by line as well as colour
      if (selectedWeight === e[3]) { ctx.strokeStyle = '#1f2328'; ctx.lineWidth = Math.max(3, ctx.lineWidth); }
      ctx.stroke();
    });
    ctx.setLineDash([]);
    const first = ready.model.edges[0];
    if (first) { const [a, b] = edgeEnds(first, pos); canvas.dataset.firstEdge = ((a[0] + b[0]) / 2).toFixed(1) + ',' + ((a[1] + b[1]) / 2).toFixed(1); }
    pos.forEach((layer, k) => layer.forEach((p, i) => {
      ctx.beginPath(); ctx.arc(p[0], p[1], 5, 0, 2 * Math.PI);
      const bias = ready.model.biases.find((b) => b[0] === k && b[1] === i);
      ctx.fillStyle = k === 0 ? '#59636e' : bias && w[bias[2]] < 0 ? '#f8d4d4' : '#cfe2f8';
      ctx.fill(); ctx.strokeStyle = '#1f2328'; ctx.lineWidth = 1; ctx.stroke();
    }));
  }

  function drawChart() {
    const canvas = $('chart'), ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (losses.length < 2) return;
    const values = [];
    losses.forEach((p) => { if (isFinite(p.train)) values.push(p.train); if (p.val !== null && p.val !== undefined && isFinite(p.val)) values.push(p.val); });
    const top = Math.max.apply(null, values.concat([1e-9])), last = losses[losses.length - 1].step, firstStep = losses[0].step;
    const sx = (s) => 30 + (s - firstStep) / Math.max(1, last - firstStep) * (canvas.width - 40), sy = (v) => canvas.height - 20 - v / top * (canvas.height - 30);
    ctx.strokeStyle = '#d1d9e0'; ctx.beginPath(); ctx.moveTo(30, 10); ctx.lineTo(30, canvas.height - 20); ctx.lineTo(canvas.width - 10, canvas.height - 20); ctx.stroke();
    ctx.fillStyle = '#59636e'; ctx.font = '10px sans-serif';
    ctx.fillText(top.toPrecision(2), 2, 14); ctx.fillText('0', 20, canvas.height - 20); ctx.fillText('step ' + last, canvas.width - 60, canvas.height - 6);
    for (const [key, color] of [['train', '#1f2328'], ['val', '#bc4c00']]) {
      ctx.beginPath(); let started = false;
      losses.forEach((p) => { const v = p[key]; if (v === null || v === undefined || !isFinite(v)) return; if (!started) { ctx.moveTo(sx(p.step), sy(v)); started = true; } else ctx.lineTo(sx(p.step), sy(v)); });
      ctx.strokeStyle = color; ctx.lineWidth = 1.5; ctx.stroke();
    }
  }

  // ---- clicks ----
  function canvasPoint(canvas, event) {
    const rect = canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) * canvas.width / rect.width, (event.clientY - rect.top) * canvas.height / rect.height];
  }
  $('network').addEventListener('click', (event) => {
    if (!ready || !frame) return;
    const canvas = $('network'), [x, y] = canvasPoint(canvas, event), pos = unitPositions(canvas);
    let best = null, bestDistance = 6;
    ready.model.edges.forEach((e) => {
      const [a, b] = edgeEnds(e, pos), dx = b[0] - a[0], dy = b[1] - a[1];
      const t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy)));
      const d = Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy);
      if (d < bestDistance) { bestDistance = d; best = e[3]; }
    });
    if (best !== null) explainWeight(best);
  });
  $('weight-pick').addEventListener('change', () => { if ($('weight-pick').value !== '') explainWeight(Number($('weight-pick').value)); });
  function explainWeight(index) { selectedWeight = index; $('weight-pick').value = String(index); drawNetwork(); send({ type: 'explainWeight', index: index }); }

  $('boundary').addEventListener('click', (event) => {
    if (!ready) return;
    const canvas = $('boundary'), [x, y] = canvasPoint(canvas, event);
    if ($('click-adds').value === 'remove') {
      let nearest = null, nearestDistance = 12;
      ready.training.forEach((p, i) => { const [px, py] = toPixel(p[0], p[1], canvas), d = Math.hypot(px - x, py - y); if (d < nearestDistance) { nearestDistance = d; nearest = i; } });
      // By place, not row number: the rows move when a point goes, and a second click may come first.
      if (nearest !== null) send({ type: 'removePoint', x1: ready.training[nearest][0], x2: ready.training[nearest][1] });
      return;
    }
    if ($('click-adds').value !== '') {
      const g = ready.grid; // the inverse of toPixel: where on the plane the click fell
      send({ type: 'addPoint', x1: g.xMin + x / canvas.width * (g.xMax - g.xMin), x2: g.yMin + (canvas.height - y) / canvas.height * (g.yMax - g.yMin), y: Number($('click-adds').value) });
      return;
    }
    let best = null, bestDistance = 10;
    for (const [set, rows] of [['training', ready.training], ['validation', ready.validation]]) {
      rows.forEach((p, i) => { const [px, py] = toPixel(p[0], p[1], canvas), d = Math.hypot(px - x, py - y); if (d < bestDistance) { bestDistance = d; best = { set: set, row: i }; } });
    }
    if (best) { selectedPoint = best; drawBoundary(); send({ type: 'explainPoint', set: best.set, row: best.row }); }
  });

  $('point-pick').addEventListener('change', () => {
    const v = $('point-pick').value;
    if (!ready || v === '') return;
    const [set, row] = v.split(':');
    selectedPoint = { set: set, row: Number(row) }; drawBoundary(); send({ type: 'explainPoint', set: set, row: Number(row) });
  });
  $('build').addEventListener('click', connect);
  function ownData() { const own = $('dataset').value === 'csv'; $('points').disabled = own; $('noise').disabled = own; }
  $('dataset').addEventListener('change', ownData);
  // Your own data: read here, sent as text with the options (the server parses and checks it).
  $('csv-file').addEventListener('change', () => {
    const file = $('csv-file').files[0];
    if (!file) return;
    if (file.size > 60 * 1024) { showError({ message: file.name + ' is ' + Math.ceil(file.size / 1024) + ' KiB; the page takes at most 60 KiB', help: 'use fewer rows (at most 1,000) or fewer digits' }); return; }
    file.text().then((text) => {
      csv = { name: file.name, text: text };
      const select = $('dataset');
      let own = Array.from(select.options).find((o) => o.value === 'csv');
      if (!own) { own = document.createElement('option'); own.value = 'csv'; select.appendChild(own); }
      own.textContent = 'your CSV: ' + file.name;
      select.value = 'csv';
      ownData();
      connect();
    }, () => showError({ message: 'could not read ' + file.name }));
  });
  $('play').addEventListener('click', () => send({ type: 'play' }));
  $('pause').addEventListener('click', () => send({ type: 'pause' }));
  $('step').addEventListener('click', () => send({ type: 'step' }));
  $('reset').addEventListener('click', () => send({ type: 'reset' }));
  $('speed').addEventListener('change', () => { const s = num('speed'); if (s) send({ type: 'speed', stepsPerSecond: s }); });
  connect();
})();
