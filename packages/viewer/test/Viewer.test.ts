import { expect } from 'chai';
import { ERR_INVALID_OPTION } from '@audit-tracing/core';
import { createViewer, startViewer } from '../src/index.js';
import { LIVE_SPANS_PER_TURN, MAX_PENDING_LIVE_SPANS } from '../src/Viewer.js';
import { record } from './helpers/spans.js';

describe('createViewer / startViewer options', () => {
  it('refuses wrong options at set-up with the coded option error, never showing a token', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ maxSpans: 0 }, /^createViewer\.maxSpans: expected a positive integer, got 0$/],
      [{ maxBytes: '1mb' }, /^createViewer\.maxBytes: expected a positive integer/],
      [{ basePath: 'viewer/' }, /^createViewer\.basePath: expected/],
      [{ basePath: '/viewer/' }, /^createViewer\.basePath: expected/],
      [{ token: 'short' }, /^createViewer\.token: expected a string of 8 to 256 printable ASCII characters without spaces, got a string \(value not shown\)$/],
      [{ files: 'spans.jsonl' }, /^createViewer\.files: expected an array of file paths/],
      [{ colour: 'blue' }, /^createViewer\.colour: unknown option/],
    ];
    for (const [options, message] of cases) {
      const error = await createViewer(options as never).then(
        () => undefined,
        (e: TypeError & { code?: string }) => e,
      );
      expect(error, JSON.stringify(options)).to.be.instanceOf(TypeError);
      expect(error!.code).to.equal(ERR_INVALID_OPTION);
      expect(error!.message).to.match(message);
    }
    const port = await startViewer({ port: 70000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(port?.message).to.equal('startViewer.port: expected an integer from 0 to 65535, got 70000');
  });
});

describe('Viewer.spanProcessor', () => {
  it('only queues on the request path, hands spans to the store on the next turn, and drops past its bound', async () => {
    const viewer = await createViewer({ maxSpans: 2 * MAX_PENDING_LIVE_SPANS });
    const traceId = 'ab000000000000000000000000000001';
    for (let i = 0; i <= MAX_PENDING_LIVE_SPANS; i++) viewer.spanProcessor.onEnd(record({ traceId, name: `op ${i}`, service: 'live', start: i, duration: 1 }));
    expect(viewer.store.getStats().spans).to.equal(0);
    // Taken LIVE_SPANS_PER_TURN at a time, a turn of the event loop apart.
    await new Promise((resolve) => setImmediate(resolve));
    expect(viewer.store.getStats().spans).to.equal(LIVE_SPANS_PER_TURN);
    for (let turn = 0; turn < MAX_PENDING_LIVE_SPANS / LIVE_SPANS_PER_TURN; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(viewer.store.getStats().spans).to.equal(MAX_PENDING_LIVE_SPANS);
    expect(viewer.getStats().liveDropped).to.equal(1);
    viewer.spanProcessor.onEnd(record({ traceId, name: 'late', service: 'live', start: 1, duration: 1 }));
    await viewer.spanProcessor.forceFlush();
    expect(viewer.store.getStats().spans).to.equal(MAX_PENDING_LIVE_SPANS + 1);
    await viewer.close();
  });
});
