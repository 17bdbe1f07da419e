/* DCS Studio tag: <script src="<DCS>/tag.js" async></script>, page data in window.dcsData = {...}
   (set before it) and data-c-* attributes. Sends them as c_ signals through a hidden iframe on the
   DCS origin (dest.html), which calls /event; the answer becomes window.dcsAnswer and the detail
   of a "dcs:answer" event on document. See core/dcs/tagassets.h for the details. */
((w, d) => {
  let s = d.currentScript, o = new URL(s.src).origin, p = new URLSearchParams(),
    f = d.createElement('iframe'), k;
  // A key gets c_ unless it has it, characters other than A-Z a-z 0-9 - _ become _; a value is
  // sent as a string, an array as repeated values, null/undefined not at all. A later source
  // (an attribute) replaces an earlier one (window.dcsData) for the same key.
  let add = (k, v) => {
    if (v == null) return;
    k = k.replace(/^(c_)?/, 'c_').replace(/[^\w-]/g, '_');
    p.delete(k);
    [].concat(v).forEach(x => p.append(k, '' + x));
  };
  for (k in w.dcsData) add(k, w.dcsData[k]);
  for (k of s.attributes) if (!k.name.indexOf('data-c-')) add(k.name.slice(7), k.value);
  p.append('origin', location.origin);
  f.style.display = 'none';
  f.src = o + '/dest.html#' + p;
  // Only the answer: from our iframe, on the DCS origin (from this script's src), answer-shaped.
  w.addEventListener('message', function h(e) {
    let a = e.data;
    if (e.origin != o || e.source != f.contentWindow || !a || !/^\d{38}$/.test(a.uuid)
        || typeof a.tid != 'string') return;
    w.removeEventListener('message', h);
    w.dcsAnswer = a;
    d.dispatchEvent(new CustomEvent('dcs:answer', {detail: a}));
  });
  (d.body || d.documentElement).appendChild(f);
})(window, document);
