import { expect } from 'chai';
import fc from 'fast-check';
import { encodeOtlpJson } from '../../../src/export/otlp/encodeJson.js';
import { encodeOtlpProtobuf } from '../../../src/export/otlp/encodeProtobuf.js';
import { resolveSpanLimits } from '../../../src/trace/spanLimits.js';
import type { InstrumentationScope, ReadableSpan, TagValue } from '../../../src/types.js';
import { finishedSpan } from '../../helpers/exportSpans.js';
import { decodeOtlpProtobuf, normalizeOtlpJson, otlpSpans } from '../../helpers/otlpDecode.js';

// Both encoders copy a span's attributes from the span written before when they are the same at the same position
// (AttributeRuns). These batches are made of few keys and values, so that runs start, stop, and cross every edge:
// a first attribute that carries nothing, a key list that shrinks and grows, protobuf spans whose length takes one,
// two or three bytes (the span moves when it is closed), several scopes (a scope group moves when it is closed).

const KEYS = ['http.request.method', 'url.path', 'http.response.status_code', 'flag', 'ratio', 'empty', 'component'];
const VALUES: (TagValue | null)[] = ['GET', 'POST', '/users/:id', 200, 404, 2 ** 40, -7, 1.5, true, false, '', undefined, null, ['a', 'b'], 'ünï'];
const LONG = 'x'.repeat(20_000);
const LIMITS = resolveSpanLimits({ attributeValueLengthLimit: 100_000 }, undefined);
const SCOPES: (InstrumentationScope | undefined)[] = [undefined, Object.freeze({ name: 'a' }), Object.freeze({ name: 'b', version: '1' })];

function expectedValue(value: TagValue): Record<string, unknown> {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((item) => expectedValue(item)) } };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

/** The attributes a span should carry, in order: its tags that hold a value, then its component. */
function expectedAttributes(span: ReadableSpan): { key: string; value: Record<string, unknown> }[] {
  const out = Object.entries(span.tags)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => ({ key, value: expectedValue(value) }));
  if (span.tags.component === undefined) out.push({ key: 'component', value: { stringValue: 'test' } });
  return out;
}

function checkBatch(spans: ReadableSpan[]): void {
  const json = JSON.parse(encodeOtlpJson(spans).toString());
  const decoded = decodeOtlpProtobuf(encodeOtlpProtobuf(spans));
  expect(decoded).to.deep.equal(normalizeOtlpJson(json));
  const bySpanId = new Map(spans.map((span) => [span.spanId, span]));
  const written = otlpSpans(json);
  expect(written).to.have.length(spans.length);
  for (const span of written) expect(span.attributes).to.deep.equal(expectedAttributes(bySpanId.get(span.spanId)!));
}

const tagsArbitrary = fc
  .array(fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES)), { maxLength: 6 })
  .map((entries) => Object.fromEntries(entries) as Record<string, TagValue>);

describe('attributes copied from the previous span (AttributeRuns)', () => {
  it('write every span of a batch of repeating, shifting attributes exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ tags: tagsArbitrary, scope: fc.nat(SCOPES.length - 1), long: fc.integer({ min: 0, max: 9 }), bare: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        (inits) => {
          const spans = inits.map(({ tags, scope, long, bare }) => {
            // A short name and no tags make a span under 128 bytes; a long value one over 16 KiB.
            const all = long === 0 ? { ...tags, long: LONG } : bare ? {} : tags;
            return finishedSpan({ tags: all, operationName: 'op', instrumentationScope: SCOPES[scope], limits: LIMITS });
          });
          checkBatch(spans);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('copy a run that starts where the previous span left out its first attribute', () => {
    const spans = [
      finishedSpan({ tags: { a: undefined, b: 'same', c: 1 } }),
      finishedSpan({ tags: { a: 'now set', b: 'same', c: 1 } }),
      finishedSpan({ tags: { a: undefined, b: 'same', c: 1 } }),
      finishedSpan({ tags: { a: undefined, b: 'same', c: 1 } }),
    ];
    checkBatch(spans);
  });
});
