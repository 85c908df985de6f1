// The service map: who calls whom (from parent/child links across services), with call counts and error rates.
'use strict';

(function () {
  const { el, api, serviceColor, showError } = window.viewer;
  const SVG = 'http://www.w3.org/2000/svg';

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawMap(map) {
    const width = 900;
    const height = 460;
    const radius = Math.min(width, height) / 2 - 70;
    const position = new Map();
    map.services.forEach((service, i) => {
      const angle = (2 * Math.PI * i) / map.services.length - Math.PI / 2;
      position.set(service.name, map.services.length === 1 ? [width / 2, height / 2] : [width / 2 + radius * Math.cos(angle) * 1.6, height / 2 + radius * Math.sin(angle)]);
    });
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'service map' });
    const defs = svg('defs');
    const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 28, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#6b7280' }));
    defs.append(marker);
    root.append(defs);
    for (const edge of map.edges) {
      const [x1, y1] = position.get(edge.from);
      const [x2, y2] = position.get(edge.to);
      root.append(svg('line', { x1, y1, x2, y2, class: `edge${edge.errors > 0 ? ' failing' : ''}`, 'marker-end': 'url(#arrow)' }));
      root.append(svg('text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 6, 'text-anchor': 'middle', class: 'edge-label' }, `${edge.calls} calls, ${(edge.errorRate * 100).toFixed(0)}% errors`));
    }
    for (const service of map.services) {
      const [x, y] = position.get(service.name);
      const circle = svg('circle', { cx: x, cy: y, r: 22 });
      circle.style.fill = serviceColor(service.name);
      root.append(circle);
      root.append(svg('text', { x, y: y + 38, 'text-anchor': 'middle', class: 'service-name' }, service.name));
    }
    return root;
  }

  async function render() {
    const main = document.getElementById('main');
    let map;
    try {
      map = await api('api/service-map');
    } catch (error) {
      showError(main, error);
      return;
    }
    const percent = (rate) => `${(rate * 100).toFixed(1)}%`;
    main.replaceChildren(
      el('h1', { text: 'Service map' }),
      map.services.length === 0 ? el('p', { className: 'notice', text: 'No spans yet.' }) : el('div', { className: 'map' }, drawMap(map)),
      el('h2', { text: 'Calls between services' }),
      el(
        'table',
        { className: 'grid', id: 'edges' },
        el('thead', null, el('tr', null, el('th', { text: 'Caller' }), el('th', { text: 'Callee' }), el('th', { className: 'num', text: 'Calls' }), el('th', { className: 'num', text: 'Errors' }), el('th', { className: 'num', text: 'Error rate' }))),
        el(
          'tbody',
          null,
          map.edges.map((edge) => el('tr', { dataset: { from: edge.from, to: edge.to } }, el('td', { text: edge.from }), el('td', { text: edge.to }), el('td', { className: 'num', text: edge.calls }), el('td', { className: 'num', text: edge.errors }), el('td', { className: 'num', text: percent(edge.errorRate) }))),
        ),
      ),
      el('h2', { text: 'Services' }),
      el(
        'table',
        { className: 'grid', id: 'services' },
        el('thead', null, el('tr', null, el('th', { text: 'Service' }), el('th', { className: 'num', text: 'Spans' }), el('th', { className: 'num', text: 'Errors' }))),
        el('tbody', null, map.services.map((s) => el('tr', null, el('td', { text: s.name }), el('td', { className: 'num', text: s.spanCount }), el('td', { className: 'num', text: s.errorCount })))),
      ),
    );
  }

  document.addEventListener('DOMContentLoaded', () => void render());
})();
