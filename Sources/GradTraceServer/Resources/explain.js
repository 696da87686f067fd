'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var EXAMPLE = 'w0 = 2; x0 = -1; w1 = -3; x1 = -2; w2 = -3\nf = 1/(1 + exp(-(w0*x0 + w1*x1 + w2)))';
  var touched = new Map();   // input name -> number the reader set (overrides the text)
  var names = [];            // input names of the last good result
  var seq = 0, shown = 0, timer = 0, inflight = null, frameInflight = null;
  var result = null, step = 1, lastWalkthrough = null, lastSvg = null;

  function options() {
    var body = { source: $('source').value, values: {}, expand: $('expand').checked, forwardOnly: $('forward-only').checked };
    touched.forEach(function (v, k) { body.values[k] = v; });
    var mode = $('number-mode').value, n = parseInt($('number-count').value, 10);
    if (mode && isFinite(n)) body[mode] = n;
    return body;
  }

  // The state as a query string: the permalink's fragment and the downloads' query.
  function encode(body) {
    var parts = ['src=' + encodeURIComponent(body.source)];
    var v = Object.keys(body.values).sort().map(function (k) { return k + ':' + body.values[k]; }).join(',');
    if (v) parts.push('v=' + encodeURIComponent(v));
    if (body.expand) parts.push('expand=1');
    if (body.forwardOnly) parts.push('fwd=1');
    if (body.precision !== undefined) parts.push('precision=' + body.precision);
    if (body.digits !== undefined) parts.push('digits=' + body.digits);
    return parts.join('&');
  }

  function decode(hash) {
    var p = new URLSearchParams(hash.replace(/^#/, ''));
    if (!p.has('src')) return false;
    $('source').value = p.get('src');
    touched.clear();
    (p.get('v') || '').split(',').forEach(function (pair) {
      var at = pair.lastIndexOf(':');
      if (at > 0) { var x = Number(pair.slice(at + 1)); if (isFinite(x)) touched.set(pair.slice(0, at), x); }
    });
    $('expand').checked = p.get('expand') === '1';
    $('forward-only').checked = p.get('fwd') === '1';
    var mode = p.has('precision') ? 'precision' : p.has('digits') ? 'digits' : '';
    $('number-mode').value = mode;
    if (mode) $('number-count').value = p.get(mode);
    syncNumberMode();
    return true;
  }

  function syncNumberMode() {
    var mode = $('number-mode').value, count = $('number-count');
    count.disabled = !mode;
    count.min = mode === 'digits' ? 1 : 0;
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(update, delay === undefined ? 120 : delay);
    $('status').textContent = 'updating…';
  }

  function update() {
    var body = options(), mine = ++seq;
    var query = encode(body);
    history.replaceState(null, '', '#' + query);
    $('permalink').href = '#' + query;
    $('permalink-text').value = location.href;
    ['svg', 'png', 'pdf', 'md', 'html'].forEach(function (f) { $('dl-' + f).href = '/api/export?format=' + f + '&' + query; });
    if (inflight) inflight.abort();
    inflight = new AbortController();
    fetch('/api/explain', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: inflight.signal })
      .then(function (r) { return r.json().catch(function () { return { ok: false, error: { message: 'the server answered ' + r.status } }; }); })
      .then(function (data) { if (mine >= shown) { shown = mine; data.ok ? render(data) : fail(data.error || {}); } })
      .catch(function (e) { if (e.name !== 'AbortError') fail({ message: 'cannot reach the gradtrace server: is it still running?' }); });
  }

  function fail(error) {
    $('status').textContent = '';
    var text = error.text || ('error: ' + (error.message || 'unknown error') + (error.help ? '\n  = help: ' + error.help : ''));
    $('error').textContent = text;
    $('error').hidden = false;
    // Keep the last good result on screen, dimmed: never a blank page while typing.
    ['diagram', 'walkthrough', 'result', 'stepper', 'inputs'].forEach(function (id) { $(id).classList.add('stale'); });
  }

  function render(data) {
    result = data;
    $('status').textContent = data.gates + (data.gates === 1 ? ' gate' : ' gates');
    $('error').hidden = true;
    $('error').textContent = '';
    ['diagram', 'walkthrough', 'result', 'stepper', 'inputs'].forEach(function (id) { $(id).classList.remove('stale'); });
    renderInputs(data);
    var res = $('result');
    res.textContent = '';
    res.appendChild(document.createTextNode(data.outputName + ' = '));
    var v = document.createElement('span'); v.className = 'value'; v.textContent = data.outputText; res.appendChild(v);
    var warnings = $('warnings');
    warnings.textContent = '';
    data.warnings.forEach(function (w) { var li = document.createElement('li'); li.textContent = w; warnings.appendChild(li); });
    // Server-made HTML: Graphviz SVG and the library's walkthrough, user strings escaped there.
    // Unchanged parts are left alone, so nothing flickers while a slider moves.
    if (lastSvg !== data.svg) { $('diagram').innerHTML = data.svg || ''; lastSvg = data.svg; }
    $('diagram').hidden = !data.svg;
    // The same wires as a table, kept open or closed as the reader left it.
    var wires = $('wires'), open = !!wires.querySelector('details[open]');
    if (wires.getAttribute('data-html') !== (data.wires || '')) {
      wires.innerHTML = data.wires || ''; wires.setAttribute('data-html', data.wires || '');
      var details = wires.querySelector('details'); if (details && open) details.open = true;
    }
    $('diagram-note').textContent = data.diagramNote || '';
    if (lastWalkthrough !== data.walkthrough) { $('walkthrough').innerHTML = data.walkthrough; lastWalkthrough = data.walkthrough; }
    if (step > data.stepCount) step = data.stepCount;
    if (step < 1) step = 1;
    showStep();
  }

  function renderInputs(data) {
    var list = data.inputs.map(function (i) { return i.name; });
    var box = $('inputs');
    if (list.join('\u0001') !== names.join('\u0001')) {
      names = list;
      box.textContent = '';
      data.inputs.forEach(function (input) { box.appendChild(row(input)); });
      if (!list.length) { var p = document.createElement('span'); p.className = 'note'; p.textContent = 'no variables'; box.appendChild(p); }
    }
    var f = data.outputName;
    data.inputs.forEach(function (input, k) {
      var fields = rowFields(k);
      if (!fields.number) return;
      var mine = touched.has(input.name);
      if (document.activeElement !== fields.number && document.activeElement !== fields.range && (!mine || fields.number.value === '')) {
        var v = mine ? touched.get(input.name) : input.value;
        fields.number.value = v === null || v === undefined ? '' : String(v);
        setRange(fields.range, v);
      }
      fields.grad.textContent = input.gradientText === undefined || input.gradientText === null ? '' : '∂' + f + '/∂' + input.name + ' = ' + input.gradientText;
      fields.tag.textContent = input.defaulted ? 'no value given: using 1' : input.boundInText && !touched.has(input.name) ? 'value from the text' : touched.has(input.name) ? 'your value' : '';
    });
  }

  function rowFields(k) {
    var cells = $('inputs').querySelectorAll('[data-row="' + k + '"]');
    var f = {};
    cells.forEach(function (c) { f[c.getAttribute('data-part')] = c; });
    return f;
  }

  function row(input) {
    var k = names.indexOf(input.name);
    var frag = document.createDocumentFragment();
    var name = document.createElement('label');
    name.className = 'name'; name.textContent = input.name; name.setAttribute('data-row', k); name.setAttribute('data-part', 'label');
    name.htmlFor = 'input-' + k;
    var number = document.createElement('input');
    number.type = 'number'; number.step = 'any'; number.id = 'input-' + k; number.setAttribute('data-name', input.name);
    number.setAttribute('data-row', k); number.setAttribute('data-part', 'number');
    var range = document.createElement('input');
    range.type = 'range'; range.step = '0.1'; range.setAttribute('aria-label', input.name + ' slider');
    range.setAttribute('data-row', k); range.setAttribute('data-part', 'range');
    var grad = document.createElement('span');
    grad.className = 'grad'; grad.setAttribute('data-row', k); grad.setAttribute('data-part', 'grad'); grad.setAttribute('data-name', input.name);
    var tag = document.createElement('span');
    tag.className = 'tag'; tag.setAttribute('data-row', k); tag.setAttribute('data-part', 'tag');
    number.addEventListener('input', function () {
      if (number.value.trim() === '' || !isFinite(Number(number.value))) return;
      touched.set(input.name, Number(number.value));
      setRange(range, Number(number.value));
      schedule();
    });
    range.addEventListener('input', function () {
      number.value = range.value;
      touched.set(input.name, Number(range.value));
      schedule(60);
    });
    [name, number, range, grad, tag].forEach(function (e) { frag.appendChild(e); });
    return frag;
  }

  function setRange(range, v) {
    if (v === null || v === undefined || !isFinite(v)) return;
    var span = Math.max(10, Math.ceil(Math.abs(v) * 2));
    range.min = String(-span); range.max = String(span);
    range.value = String(v);
  }

  function showStep() {
    var n = result && !result.forwardOnly ? result.stepCount : 0;
    $('step-label').textContent = n ? 'step ' + step + ' of ' + n : 'no backward pass';
    var focused = document.activeElement;
    $('first').disabled = $('prev').disabled = !n || step <= 1;
    $('next').disabled = $('last').disabled = !n || step >= n;
    // A button that was just disabled under the keyboard's focus would drop it to the page's
    // start: move it to the way back (or forward) instead.
    if (focused && focused.disabled && focused.tagName === 'BUTTON') {
      var other = focused.id === 'next' || focused.id === 'last' ? $('prev') : $('next');
      if (!other.disabled) other.focus();
    }
    var items = $('walkthrough').querySelectorAll('ol.steps > li');
    $('step-text').innerHTML = n && items[step - 1] ? items[step - 1].innerHTML : '';
    var frame = $('frame');
    if (!n || !result.frames) { frame.hidden = true; frame.innerHTML = ''; return; }
    if (frameInflight) frameInflight.abort();
    frameInflight = new AbortController();
    var body = options(); body.step = step;
    var wanted = step;
    fetch('/api/frame', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: frameInflight.signal })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (data.ok && data.step === wanted) { frame.innerHTML = data.svg; frame.hidden = false; } })
      .catch(function () {});
  }

  function go(to) {
    if (!result || !result.stepCount) return;
    step = Math.min(Math.max(1, to), result.stepCount);
    showStep();
  }

  $('first').addEventListener('click', function () { go(1); });
  $('prev').addEventListener('click', function () { go(step - 1); });
  $('next').addEventListener('click', function () { go(step + 1); });
  $('last').addEventListener('click', function () { go(result ? result.stepCount : 1); });
  document.addEventListener('keydown', function (e) {
    var t = e.target.tagName;
    if (t === 'TEXTAREA' || t === 'INPUT' || t === 'SELECT') return;
    if (e.key === 'ArrowRight') go(step + 1);
    if (e.key === 'ArrowLeft') go(step - 1);
  });
  $('source').addEventListener('input', function () { schedule(); });
  ['expand', 'forward-only', 'number-count'].forEach(function (id) { $(id).addEventListener('change', function () { schedule(0); }); });
  $('number-count').addEventListener('input', function () { schedule(); });
  $('number-mode').addEventListener('change', function () { syncNumberMode(); schedule(0); });
  $('copy-link').addEventListener('click', function () {
    var text = $('permalink-text');
    text.select();
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text.value).catch(function () {});
    else document.execCommand('copy');
  });
  window.addEventListener('hashchange', function () { if (decode(location.hash)) { names = []; schedule(0); } });

  if (!decode(location.hash)) { $('source').value = EXAMPLE; syncNumberMode(); }
  update();
})();
