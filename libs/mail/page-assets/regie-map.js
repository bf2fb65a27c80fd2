// The overview map's one script (same origin, CSP script-src 'self'): hovering or focusing a municipality or
// region writes its words (municipality, step, date, state) into the box beside the map, which a screen reader
// announces (aria-live). Without the script the map still works: every shape has its <title> and its link.
(function () {
  var info = document.getElementById('regie-map-info');
  var map = document.querySelector('.regie-map');
  if (!info || !map) return;
  var idle = info.textContent;
  function show(event) {
    var area = event.target.closest && event.target.closest('[data-label]');
    if (area && map.contains(area)) info.textContent = area.getAttribute('data-label');
  }
  map.addEventListener('mouseover', show);
  map.addEventListener('focusin', show);
  map.addEventListener('mouseleave', function () { if (!map.contains(document.activeElement)) info.textContent = idle; });
})();
