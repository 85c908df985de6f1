// bench:encrypt — what one encrypted attribute costs per span. The same span (start, 5 tags, finish) through two
// tracers that differ only in `encryption`: one encrypts `user.email` (enc:v2, AES-256-GCM under a cached data
// key from a local master key, bound to trace id, span id and attribute), the other exports it as it is.
// Both hand each span to the same no-op exporter through the simple processor.
//
// Rounds alternate the two (and which goes first); the first round of each is warm-up and is dropped.
// Environment: BENCH_SPANS (spans per round, default 100000), BENCH_ROUNDS (measured rounds, default 7).
import { randomBytes } from 'node:crypto';
import { AuditTracer } from '@audit-tracing/core';
import { numberFromEnv } from './lib/env.mjs';
import { median } from './lib/median.mjs';
import { describeMachine, writeResults } from './lib/results.mjs';

const SPANS = Math.round(numberFromEnv('BENCH_SPANS', 100_000));
const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 7));
const SUCCESS = Promise.resolve({ code: 'success' });
const noopExporter = { export: () => SUCCESS, shutdown: async () => {} };

function contender(encryption) {
  const tracer = new AuditTracer({ serviceName: 'bench', exporter: noopExporter, processor: 'simple', maxFinishedSpans: 0, encryption });
  return async function round(count) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      const span = tracer.startSpan('POST /signup', undefined, { kind: 'server' });
      span.setTag('http.request.method', 'POST');
      span.setTag('http.route', '/signup');
      span.setTag('http.response.status_code', 201);
      span.setTag('plan.name', 'pro');
      span.setTag('user.email', 'ada.lovelace@example.com');
      span.finish();
    }
    const ns = Number(process.hrtime.bigint() - started) / count;
    await tracer.forceFlush(); // the exports' promises settle between rounds, not inside them
    return { ns, stats: tracer.getStats().encryption };
  };
}

const started = new Date();
console.log(`bench:encrypt — start + 5 tags + finish, one of them encrypted or not; ${ROUNDS} rounds of ${SPANS} spans each (+1 warm-up round)`);
console.log(`machine: ${describeMachine()}`);

const contenders = {
  plain: contender(undefined),
  encrypted: contender({ key: randomBytes(32), sensitiveTags: ['user.email'] }),
};
const samples = { plain: [], encrypted: [] };
let lastStats;
for (let round = 0; round <= ROUNDS; round++) {
  const order = round % 2 === 0 ? ['plain', 'encrypted'] : ['encrypted', 'plain'];
  for (const name of order) {
    const { ns, stats } = await contenders[name](SPANS);
    if (name === 'encrypted') lastStats = stats;
    if (round > 0) samples[name].push(ns);
  }
  if (round > 0) console.log(`  round ${round}: plain ${samples.plain.at(-1).toFixed(0)} ns/span, encrypted ${samples.encrypted.at(-1).toFixed(0)} ns/span`);
}
if (lastStats.valuesUnavailable !== 0 || lastStats.valuesEncrypted !== (ROUNDS + 1) * SPANS) throw new Error(`not every value was encrypted: ${JSON.stringify(lastStats)}`);

const plainNs = median(samples.plain);
const encryptedNs = median(samples.encrypted);
const costNs = encryptedNs - plainNs;
const ratio = encryptedNs / plainNs;
console.log('\nspan             ns/span (median)');
console.log(`plain            ${plainNs.toFixed(0).padStart(16)}`);
console.log(`encrypted        ${encryptedNs.toFixed(0).padStart(16)}`);
console.log(`one encrypted attribute costs ${costNs.toFixed(0)} ns per span: ${ratio.toFixed(2)}× the same span unencrypted`);
console.log(`data keys used: ${lastStats.dataKeysGenerated} (TTL and use count replace them in the background)`);

const file = writeResults('encrypt', started, {
  settings: { spansPerRound: SPANS, rounds: ROUNDS },
  nsPerSpan: { plain: plainNs, encrypted: encryptedNs },
  costNs,
  ratio,
  samples,
});
console.log(`results: ${file}`);
