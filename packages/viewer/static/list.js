// The trace list: filters in the address (so a filtered list can be shared and reloaded) and the newest traces.
'use strict';

(function () {
  const { el, api, formatMs, formatTime, chip, showError } = window.viewer;
  const FIELDS = ['service', 'operation', 'tag', 'status', 'minDuration', 'from', 'to', 'limit'];

  function field(label, input) {
    return el('label', null, label, input);
  }

  function toLocalInput(epochMs) {
    const date = new Date(epochMs - new Date().getTimezoneOffset() * 60_000);
    return date.toISOString().slice(0, 16);
  }

  async function render() {
    const main = document.getElementById('main');
    const params = new URLSearchParams(location.search);
    let services = [];
    try {
      services = (await api('api/services')).services;
    } catch (error) {
      showError(main, error);
      return;
    }
    const service = el('select', { name: 'service', id: 'filter-service' }, el('option', { value: '', text: 'all services' }), services.map((s) => el('option', { value: s.name, text: s.name })));
    const operations = el('datalist', { id: 'operations' });
    const operation = el('input', { name: 'operation', id: 'filter-operation', list: 'operations', placeholder: 'any operation' });
    const fillOperations = () => {
      const chosen = services.filter((s) => service.value === '' || s.name === service.value);
      const names = [...new Set(chosen.flatMap((s) => s.operations))].sort();
      operations.replaceChildren(...names.map((name) => el('option', { value: name })));
    };
    service.addEventListener('change', fillOperations);
    const tag = el('input', { name: 'tag', id: 'filter-tag', placeholder: 'key=value' });
    const status = el('select', { name: 'status', id: 'filter-status' }, el('option', { value: '', text: 'any' }), el('option', { value: 'error', text: 'with errors' }), el('option', { value: 'ok', text: 'without errors' }));
    const minDuration = el('input', { name: 'minDuration', id: 'filter-min-duration', placeholder: 'e.g. 100ms, 1.5s', size: 10 });
    const from = el('input', { name: 'from', id: 'filter-from', type: 'datetime-local' });
    const to = el('input', { name: 'to', id: 'filter-to', type: 'datetime-local' });
    const limit = el('select', { name: 'limit', id: 'filter-limit' }, [20, 50, 100, 500].map((n) => el('option', { value: n, text: n })));
    const inputs = { service, operation, tag, status, minDuration, from, to, limit };
    for (const name of FIELDS) {
      const value = params.get(name);
      if (value === null) continue;
      if (name === 'from' || name === 'to') inputs[name].value = /^\d+$/.test(value) ? toLocalInput(Number(value)) : value;
      else inputs[name].value = value;
    }
    fillOperations();
    const form = el(
      'form',
      { className: 'filters', id: 'filters' },
      field('Service', service),
      field('Operation', operation),
      operations,
      field('Tag', tag),
      field('Status', status),
      field('Min duration', minDuration),
      field('From', from),
      field('To', to),
      field('Limit', limit),
      el('button', { type: 'submit', id: 'search', text: 'Find traces' }),
    );
    const results = el('div', { id: 'results' });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const query = new URLSearchParams();
      for (const name of FIELDS) {
        let value = inputs[name].value.trim();
        if (value === '' || (name === 'limit' && value === '20')) continue;
        if ((name === 'from' || name === 'to') && value !== '') value = String(new Date(value).getTime());
        query.set(name, value);
      }
      history.replaceState(null, '', `${location.pathname}${query.size ? `?${query}` : ''}`);
      void load(results, query);
    });
    main.replaceChildren(el('h1', { text: 'Traces' }), form, results);
    const initial = new URLSearchParams();
    for (const name of FIELDS) if (params.get(name) !== null) initial.set(name, params.get(name));
    await load(results, initial);
  }

  async function load(results, query) {
    results.replaceChildren(el('p', { className: 'muted', text: 'Searching…' }));
    let traces;
    try {
      traces = (await api(`api/traces${query.size ? `?${query}` : ''}`)).traces;
    } catch (error) {
      showError(results, error);
      return;
    }
    if (traces.length === 0) {
      results.replaceChildren(el('p', { className: 'notice', id: 'no-traces', text: 'No traces match. Send spans with OTLP/HTTP to /v1/traces or Zipkin v2 to /api/v2/spans.' }));
      return;
    }
    const rows = traces.map((trace) =>
      el(
        'tr',
        { dataset: { traceId: trace.traceId } },
        el('td', null, formatTime(trace.start)),
        el('td', null, el('a', { href: `trace.html?id=${encodeURIComponent(trace.traceId)}`, className: 'trace-link', text: `${trace.rootService}: ${trace.rootName}` }), el('div', { className: 'muted', text: trace.traceId })),
        el('td', { className: 'num', text: formatMs(trace.duration) }),
        el('td', { className: 'num', text: trace.spanCount }),
        el('td', { className: 'num' }, trace.errorCount > 0 ? el('span', { className: 'badge error', text: `${trace.errorCount} error${trace.errorCount > 1 ? 's' : ''}` }) : '0'),
        el('td', null, trace.services.map((s) => chip(s.name))),
      ),
    );
    results.replaceChildren(
      el('p', { className: 'muted', id: 'result-count', text: `${traces.length} trace${traces.length > 1 ? 's' : ''}, newest first` }),
      el(
        'table',
        { className: 'grid', id: 'traces' },
        el('thead', null, el('tr', null, el('th', { text: 'Start' }), el('th', { text: 'Root span' }), el('th', { className: 'num', text: 'Duration' }), el('th', { className: 'num', text: 'Spans' }), el('th', { className: 'num', text: 'Errors' }), el('th', { text: 'Services' }))),
        el('tbody', null, rows),
      ),
    );
  }

  document.addEventListener('DOMContentLoaded', () => void render());
})();
