// The campaign page's map: progressive enhancement over the list the server already rendered.
// It reads each listed event's coordinates (data-lat, data-lon) and the search's centre and radius,
// and draws them as an SVG (equirectangular around the centre, which is true enough within a few
// hundred kilometres). No tiles, no library, nothing fetched: the list stays the accessible
// equivalent, and each dot links to the same event page as its list entry.
(() => {
  const list = document.querySelector('ol[data-center-lat]');
  const holder = document.getElementById('map');
  if (!list || !holder) return;
  const lat0 = Number(list.dataset.centerLat);
  const lon0 = Number(list.dataset.centerLon);
  const radius = Number(list.dataset.radiusKm);
  if (!Number.isFinite(lat0) || !Number.isFinite(lon0) || !(radius > 0)) return;
  const NS = 'http://www.w3.org/2000/svg';
  const size = 320;
  const scale = size / 2 / (radius * 1.1);
  const kmPerDegLat = 111.2;
  const kmPerDegLon = 111.2 * Math.cos((lat0 * Math.PI) / 180);
  const xy = (lat, lon) => [
    size / 2 + (lon - lon0) * kmPerDegLon * scale,
    size / 2 - (lat - lat0) * kmPerDegLat * scale,
  ];
  const el = (name, attrs, parent) => {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    parent.appendChild(node);
    return node;
  };
  const svg = el(
    'svg',
    {
      viewBox: `0 0 ${size} ${size}`,
      width: '100%',
      role: 'img',
      'aria-label': holder.dataset.label || 'Map',
      style: 'max-width:20rem;display:block;margin:1rem 0;background:#f4f7fb;border:1px solid #767676',
    },
    holder,
  );
  el(
    'circle',
    {
      cx: size / 2,
      cy: size / 2,
      r: radius * scale,
      fill: 'none',
      stroke: '#555',
      'stroke-dasharray': '4 4',
    },
    svg,
  );
  el(
    'path',
    {
      d: `M${size / 2 - 6} ${size / 2}h12M${size / 2} ${size / 2 - 6}v12`,
      stroke: '#111',
      'stroke-width': 2,
    },
    svg,
  );
  let n = 0;
  for (const item of list.querySelectorAll('li[data-lat]')) {
    const link = item.querySelector('a');
    if (!link) continue;
    n += 1;
    const [x, y] = xy(Number(item.dataset.lat), Number(item.dataset.lon));
    const a = el('a', { href: link.getAttribute('href') }, svg);
    el('title', {}, a).textContent = link.textContent;
    el('circle', { cx: x, cy: y, r: 9, fill: '#0b57d0', stroke: '#fff', 'stroke-width': 2 }, a);
    const label = el(
      'text',
      { x, y: y + 4, 'text-anchor': 'middle', fill: '#fff', 'font-size': 11, 'font-weight': 700 },
      a,
    );
    // The same number as the list's own marker.
    label.textContent = String(n);
  }
})();
