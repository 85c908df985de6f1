// The bottleneck table: per operation, timing percentiles, error rate, severity and what to look at.
'use strict';

(function () {
  const { el, api, formatMs, chip, showError } = window.viewer;

  const percent = (rate) => (rate === undefined || rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);

  async function render() {
    const main = document.getElementById('main');
    const params = new URLSearchParams(location.search);
    let services;
    let bottlenecks;
    try {
      services = (await api('api/services')).services;
      bottlenecks = (await api(`api/bottlenecks${params.get('service') ? `?service=${encodeURIComponent(params.get('service'))}` : ''}`)).bottlenecks;
    } catch (error) {
      showError(main, error);
      return;
    }
    const select = el('select', { id: 'bottleneck-service' }, el('option', { value: '', text: 'all services' }), services.map((s) => el('option', { value: s.name, text: s.name })));
    select.value = params.get('service') || '';
    select.addEventListener('change', () => {
      location.search = select.value ? `?service=${encodeURIComponent(select.value)}` : '';
    });
    const rows = bottlenecks.map((b) =>
      el(
        'tr',
        { dataset: { severity: b.severity } },
        el('td', null, el('span', { className: `badge sev-${b.severity}`, text: b.severity })),
        el('td', null, b.service ? chip(b.service) : null, el('span', { className: 'operation', text: b.operation })),
        el('td', { text: b.component ?? '' }),
        el('td', { className: 'num', text: b.sampleCount ?? b.count }),
        el('td', { className: 'num', text: formatMs(b.averageTime ?? b.average) }),
        el('td', { className: 'num', text: formatMs(b.percentile50 ?? b.p50) }),
        el('td', { className: 'num', text: formatMs(b.percentile95 ?? b.p95) }),
        el('td', { className: 'num', text: formatMs(b.percentile99 ?? b.p99) }),
        el('td', { className: 'num', text: formatMs(b.maxTime ?? b.max) }),
        el('td', { className: 'num', text: percent(b.errorRate) }),
        el('td', { className: 'num', title: 'share of all time spent in the operation itself (no child running)', text: percent(b.selfTimeShare) }),
        el('td', null, el('ul', null, (b.recommendations || []).map((r) => el('li', { text: typeof r === 'string' ? r : r.message || JSON.stringify(r) })))),
      ),
    );
    main.replaceChildren(
      el('h1', { text: 'Bottlenecks' }),
      el('form', { className: 'filters' }, el('label', null, 'Service', select)),
      rows.length === 0
        ? el('p', { className: 'notice', text: 'No finished spans yet.' })
        : el(
            'table',
            { className: 'grid', id: 'bottlenecks' },
            el('thead', null, el('tr', null, ['Severity', 'Operation', 'Component', 'Count', 'Average', 'p50', 'p95', 'p99', 'Max', 'Errors', 'Self time', 'Recommendations'].map((title, i) => el('th', { className: i >= 3 && i <= 10 ? 'num' : undefined, text: title })))),
            el('tbody', null, rows),
          ),
    );
  }

  document.addEventListener('DOMContentLoaded', () => void render());
})();
