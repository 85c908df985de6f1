// Shared by every page. Span data is hostile: it only ever reaches the page as text (textContent, text nodes,
// dataset values), never as markup, and the Content-Security-Policy forbids inline script besides.
'use strict';

(function () {
  /** An element: `props` sets className, text, href, title, id, type, name, value and data-*; children are nodes or text. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === undefined || value === null) continue;
        if (key === 'text') node.textContent = String(value);
        else if (key === 'className') node.className = value;
        else if (key === 'dataset') Object.assign(node.dataset, value);
        else if (key === 'href') node.setAttribute('href', safeHref(value));
        else if (key === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
        else node.setAttribute(key, String(value));
      }
    }
    for (const child of children) append(node, child);
    return node;
  }

  function append(node, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) for (const item of child) append(node, item);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }

  /** Links are always to our own pages: anything with a scheme (javascript:, data:) is refused. */
  function safeHref(value) {
    const text = String(value);
    return /^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith('//') ? '#' : text;
  }

  /** GET a JSON API path (relative to the page, so the viewer works under any mount path). */
  async function api(path) {
    const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
    return body;
  }

  function formatMs(ms) {
    if (ms === undefined || ms === null || !Number.isFinite(ms)) return '–';
    if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
    if (ms >= 10) return `${ms.toFixed(1)}ms`;
    return `${ms.toFixed(2)}ms`;
  }

  function formatTime(epochMs) {
    const date = new Date(epochMs);
    if (Number.isNaN(date.getTime())) return String(epochMs);
    const pad = (n, w = 2) => String(n).padStart(w, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  }

  /** A stable colour per service: a hue from the name's hash, spread by the golden angle. */
  function serviceColor(name) {
    let hash = 0;
    for (let i = 0; i < name.length; i++) hash = (Math.imul(hash, 31) + name.charCodeAt(i)) | 0;
    const hue = Math.round((((hash >>> 0) % 360) * 137.508) % 360);
    return `hsl(${hue}, 62%, 46%)`;
  }

  function chip(name) {
    const node = el('span', { className: 'chip', text: name, title: name });
    node.style.backgroundColor = serviceColor(name);
    return node;
  }

  const PAGES = [
    ['index', './', 'Traces'],
    ['bottlenecks', 'bottlenecks.html', 'Bottlenecks'],
    ['map', 'map.html', 'Service map'],
  ];

  function renderNav() {
    const current = document.body.dataset.page;
    const nav = document.getElementById('nav');
    for (const [page, href, title] of PAGES) nav.append(el('a', { href, text: title, className: page === current ? 'current' : undefined }));
  }

  function showError(where, error) {
    where.replaceChildren(el('p', { className: 'notice error-text', text: `Could not load: ${error.message}` }));
  }

  window.viewer = { el, api, formatMs, formatTime, serviceColor, chip, showError };
  document.addEventListener('DOMContentLoaded', renderNav);
})();
