// One trace: the waterfall (indented by parent, a colour per service, the critical path and errors marked) and
// the details of the chosen span: tags, logs/events, links, resource.
'use strict';

(function () {
  const { el, api, formatMs, formatTime, serviceColor, chip, showError } = window.viewer;

  function keyValues(entries) {
    if (entries.length === 0) return el('p', { className: 'muted', text: 'none' });
    return el('table', { className: 'kv' }, el('tbody', null, entries.map(([key, value]) => el('tr', null, el('td', { text: key }), el('td', null, el('pre', { text: show(value) }))))));
  }

  function show(value) {
    if (typeof value === 'string') return value;
    return JSON.stringify(value);
  }

  function renderDetails(panel, row, trace) {
    const span = row.span;
    const facts = [
      ['service', span.resource.serviceName],
      ['operation', span.operationName],
      ['kind', span.kind],
      ['component', span.component],
      ['status', span.status.message ? `${span.status.code}: ${span.status.message}` : span.status.code],
      ['span id', span.spanId],
      ['parent span id', span.parentSpanId ?? '(root)'],
      ['start', `${formatTime(span.startTime)} (+${formatMs(row.startTime - trace.start)})`],
      ['duration', formatMs(span.duration)],
      ['self time', formatMs(row.selfTime)],
    ];
    if (row.skewMs !== 0) facts.push(['clock skew', `moved ${formatMs(row.skewMs)} to fit its parent (another service's clock)`]);
    if (row.orphan) facts.push(['parent', 'not among the spans received']);
    if (row.critical) facts.push(['critical path', 'yes: this span decides the trace latency']);
    const logs = span.logs.map((log) =>
      el('li', { className: `log level-${log.level}` }, el('span', { className: 'muted', text: `+${formatMs(log.timestamp - trace.start)} ` }), el('b', { text: `${log.level} ` }), el('span', { className: 'log-message', text: log.message }), log.fields ? el('pre', { text: JSON.stringify(log.fields, null, 1) }) : null),
    );
    const links = span.links.map((link) =>
      el('li', null, el('a', { href: `trace.html?id=${encodeURIComponent(link.context.traceId)}`, text: `trace ${link.context.traceId} span ${link.context.spanId}` }), link.tags ? el('pre', { text: JSON.stringify(link.tags) }) : null),
    );
    panel.replaceChildren(
      el('h2', null, chip(span.resource.serviceName), span.operationName),
      keyValues(facts),
      el('h3', { text: 'Tags' }),
      keyValues(Object.entries(span.tags)),
      el('h3', { text: `Logs and events (${span.logs.length})` }),
      logs.length ? el('ul', { className: 'logs' }, logs) : el('p', { className: 'muted', text: 'none' }),
      el('h3', { text: `Links (${span.links.length})` }),
      links.length ? el('ul', { className: 'links' }, links) : el('p', { className: 'muted', text: 'none' }),
      el('h3', { text: 'Resource' }),
      keyValues(Object.entries(span.resource.attributes || {})),
    );
  }

  function ruler(total) {
    const ticks = el('div', { className: 'ticks' });
    for (let i = 0; i <= 4; i++) {
      const tick = el('span', { className: 'tick', text: formatMs((total * i) / 4) });
      tick.style.left = `${Math.min(i * 25, 96)}%`;
      ticks.append(tick);
    }
    return el('div', { className: 'ruler' }, el('div', { className: 'label', text: 'Service: operation' }), ticks);
  }

  async function render() {
    const main = document.getElementById('main');
    const id = new URLSearchParams(location.search).get('id') || '';
    let trace;
    try {
      trace = await api(`api/traces/${encodeURIComponent(id)}`);
    } catch (error) {
      showError(main, error);
      return;
    }
    document.title = `${trace.rootService}: ${trace.rootName} · audit-tracing viewer`;
    const start = Math.min(trace.start, ...trace.rows.map((row) => row.startTime));
    const end = Math.max(...trace.rows.map((row) => row.endTime), start);
    const total = Math.max(end - start, 0.001);
    const details = el('section', { className: 'details', id: 'details' }, el('p', { className: 'muted', text: 'Choose a span to see its tags, logs and links.' }));
    const rowNodes = [];
    const rows = trace.rows.map((row, index) => {
      const span = row.span;
      const failed = span.status.code !== 'OK';
      const label = el(
        'div',
        { className: 'label', title: `${span.resource.serviceName}: ${span.operationName}` },
        el('span', { className: 'swatch' }),
        el('span', { className: 'service', text: span.resource.serviceName }),
        el('span', { className: 'name', text: span.operationName }),
        failed ? el('span', { className: 'flag err', text: span.status.code, title: span.status.message || span.status.code }) : null,
        row.critical ? el('span', { className: 'flag cp', text: 'critical', title: 'on the critical path' }) : null,
        row.orphan ? el('span', { className: 'flag note', text: 'no parent', title: 'its parent span was not received' }) : null,
        row.skewMs !== 0 ? el('span', { className: 'flag note', text: 'skew', title: `moved ${formatMs(row.skewMs)} to fit its parent (another service's clock)` }) : null,
      );
      label.style.paddingLeft = `${8 + row.depth * 16}px`;
      label.firstChild.style.backgroundColor = serviceColor(span.resource.serviceName);
      const bar = el('div', { className: 'bar' });
      const left = ((row.startTime - start) / total) * 100;
      const width = ((row.endTime - row.startTime) / total) * 100;
      bar.style.left = `${left}%`;
      bar.style.width = `${Math.max(width, 0.2)}%`;
      bar.style.backgroundColor = serviceColor(span.resource.serviceName);
      const duration = el('span', { className: 'duration', text: formatMs(row.endTime - row.startTime) });
      // Beside the bar's end, or inside it when the bar reaches the right edge.
      if (left + width > 86) {
        duration.classList.add('inside');
        duration.style.right = `${Math.max(100 - (left + width), 0) + 0.5}%`;
      } else duration.style.left = `${left + width + 0.5}%`;
      const node = el(
        'div',
        {
          className: `row${row.critical ? ' critical' : ''}${failed ? ' error' : ''}`,
          dataset: { spanId: span.spanId, depth: row.depth, service: span.resource.serviceName },
          role: 'button',
          tabindex: 0,
        },
        label,
        el('div', { className: 'track' }, bar, duration),
      );
      const choose = () => {
        for (const other of rowNodes) other.classList.remove('selected');
        node.classList.add('selected');
        renderDetails(details, row, { start });
      };
      node.addEventListener('click', choose);
      node.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') choose();
      });
      rowNodes.push(node);
      if (index === 0) queueMicrotask(choose);
      return node;
    });
    const services = [...new Set(trace.rows.map((row) => row.span.resource.serviceName))];
    const criticalCount = trace.rows.filter((row) => row.critical).length;
    main.replaceChildren(
      el('p', null, el('a', { href: './', text: '← all traces' })),
      el('h1', { id: 'trace-title', text: `${trace.rootService}: ${trace.rootName}` }),
      el(
        'div',
        { className: 'summary' },
        el('span', null, 'Trace ', el('b', { id: 'trace-id', text: trace.traceId })),
        el('span', null, 'Started ', el('b', { text: formatTime(trace.start) })),
        el('span', null, 'Duration ', el('b', { id: 'trace-duration', text: formatMs(trace.duration) })),
        el('span', null, 'Spans ', el('b', { text: trace.spanCount })),
        el('span', null, 'Errors ', el('b', { className: trace.errorCount ? 'error-text' : undefined, text: trace.errorCount })),
        el('span', null, 'Critical path ', el('b', { text: `${criticalCount} spans` })),
      ),
      el(
        'div',
        { className: 'legend' },
        services.map(chip),
        el('span', { className: 'key' }, el('span', { className: 'mark critical' }), 'critical path'),
        el('span', { className: 'key' }, el('span', { className: 'mark err' }), 'error'),
      ),
      el('div', { className: 'waterfall', id: 'waterfall' }, ruler(total), rows),
      details,
    );
  }

  document.addEventListener('DOMContentLoaded', () => void render());
})();
