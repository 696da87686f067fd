(function () {
  var frames = document.querySelectorAll('section.frame');
  var position = document.getElementById('position');
  var current = 0;
  function show(k) {
    current = Math.max(0, Math.min(frames.length - 1, k));
    for (var j = 0; j < frames.length; j++) { frames[j].hidden = (j !== current); }
    position.textContent = (current + 1) + ' / ' + frames.length;
    if (history.replaceState) { history.replaceState(null, '', '#' + (current + 1)); }
  }
  document.getElementById('prev').addEventListener('click', function () { show(current - 1); });
  document.getElementById('next').addEventListener('click', function () { show(current + 1); });
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    // Space and Enter press the button, link or table summary that has the focus, once.
    var t = e.target.tagName;
    if ((t === 'BUTTON' || t === 'A' || t === 'SUMMARY') && (e.key === ' ' || e.key === 'Enter')) { return; }
    if (e.key === 'ArrowRight' || e.key === ' ' || e.key === 'PageDown') { show(current + 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft' || e.key === 'PageUp') { show(current - 1); e.preventDefault(); }
    else if (e.key === 'Home') { show(0); } else if (e.key === 'End') { show(frames.length - 1); }
  });
  var start = parseInt((location.hash || '#1').slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
})();
