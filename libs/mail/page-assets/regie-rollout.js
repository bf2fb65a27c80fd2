// The rulebook page's one script (same origin, CSP script-src 'self' and connect-src 'self'): it follows a
// running rollout through its server-sent events (GET /app/rulebooks/:id/rollout/events) and writes each
// event into the <progress> element and the sentence beside it (a status region, which a screen reader
// announces). The sentences are the page's own (data-text-<status>, in the page's language). Without the
// script the page shows the progress as of its load; a reload shows the newer one.
(function () {
  var box = document.getElementById('regie-rollout');
  if (!box || !window.EventSource) return;
  var url = box.getAttribute('data-events');
  if (!url) return;
  var bar = document.getElementById('regie-rollout-progress');
  var text = document.getElementById('regie-rollout-text');
  function fill(template, p) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return p[key] === null || p[key] === undefined ? '?' : String(p[key]); });
  }
  function show(p) {
    if (p.total === null || p.total === undefined) {
      bar.removeAttribute('value');
      bar.textContent = '';
    } else {
      bar.max = Math.max(p.total, 1);
      bar.value = p.total === 0 ? 1 : p.applied + p.failed;
      bar.textContent = (p.applied + p.failed) + ' / ' + p.total;
    }
    var template = box.getAttribute('data-text-' + p.status);
    if (template && text) text.textContent = fill(template, p);
    box.setAttribute('data-status', p.status);
  }
  var source = new EventSource(url);
  source.addEventListener('progress', function (event) { show(JSON.parse(event.data)); });
  source.addEventListener('end', function (event) {
    show(JSON.parse(event.data));
    source.close();
    box.removeAttribute('data-events');
  });
})();
