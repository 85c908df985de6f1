// A strict reader of OpenMetrics 1.0.0 text, for tests: the ABNF of the specification line by line, plus the rules
// the prose adds for the types we expose (counter, gauge, histogram, summary). With `dialect: 'prometheus'` it
// reads Prometheus text 0.0.4 the same way, with that format's differences: no `# EOF`, no UNIT, no exemplars,
// and a counter's metadata names its `_total` sample. It returns the families it read, or
// throws an Error naming the first line that breaks a rule. Stricter than the specification in one point: a backslash
// before anything but n, " or \ is rejected (the specification only says it SHOULD NOT be written).
// https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md#abnf

export interface OmSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar?: { labels: Record<string, string>; value: number; timestamp?: number };
}
export interface OmFamily {
  name: string;
  type: string;
  unit?: string;
  help?: string;
  samples: OmSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const REAL = /^[+-]?(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\d*\.\d+(?:[eE][+-]?\d+)?)/;
const SPECIAL = /^(?:[+-]?(?:inf|infinity)|nan)(?![a-z])/i;
const OM_SUFFIXES: Record<string, readonly string[]> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  summary: ['', '_count', '_sum', '_created'],
  unknown: [''],
};
const MAX_EXEMPLAR_LABEL_CHARS = 128;

class Cursor {
  pos = 0;
  constructor(readonly text: string, readonly lineNo: number) {}
  fail(message: string): never {
    throw new Error(`line ${this.lineNo}: ${message} at column ${this.pos + 1}: ${JSON.stringify(this.text)}`);
  }
  expect(literal: string): void {
    if (!this.text.startsWith(literal, this.pos)) this.fail(`expected ${JSON.stringify(literal)}`);
    this.pos += literal.length;
  }
  match(pattern: RegExp, what: string): string {
    const found = pattern.exec(this.text.slice(this.pos));
    if (!found) this.fail(`expected ${what}`);
    this.pos += found[0].length;
    return found[0];
  }
  done(): boolean {
    return this.pos === this.text.length;
  }
}

function number(cursor: Cursor, realOnly: boolean): number {
  const rest = cursor.text.slice(cursor.pos);
  const special = realOnly ? null : SPECIAL.exec(rest);
  if (special) {
    cursor.pos += special[0].length;
    return special[0].toLowerCase() === 'nan' ? Number.NaN : special[0].startsWith('-') ? -Infinity : Infinity;
  }
  const text = cursor.match(REAL, realOnly ? 'a real number' : 'a number');
  return Number(text);
}

// escaped-string: any character but LF, '"' and '\'; '\' only before 'n', '"' or '\' (the spec's SHOULD, kept strict).
// `end` undefined: the string runs to the end of the line (HELP).
function escapedString(cursor: Cursor, end: string | undefined): string {
  let out = '';
  for (;;) {
    if (cursor.done()) {
      if (end === undefined) return out;
      cursor.fail('unterminated string');
    }
    const c = cursor.text[cursor.pos];
    if (c === end) return out;
    if (c === '\n') cursor.fail('raw line feed in a string');
    if (c === '\\') {
      const next = cursor.text[cursor.pos + 1];
      if (next === 'n') out += '\n';
      else if (next === '"' || next === '\\') out += next;
      else cursor.fail('undefined escape sequence');
      cursor.pos += 2;
      continue;
    }
    if (c === '"') cursor.fail('raw double quote in a string');
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) {
      const low = cursor.text.charCodeAt(cursor.pos + 1);
      if (code > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) cursor.fail('lone surrogate (not UTF-8)');
      out += cursor.text.slice(cursor.pos, cursor.pos + 2);
      cursor.pos += 2;
      continue;
    }
    out += c;
    cursor.pos++;
  }
}

function labels(cursor: Cursor): Record<string, string> {
  const out: Record<string, string> = {};
  cursor.expect('{');
  if (cursor.text[cursor.pos] === '}') {
    cursor.pos++;
    return out;
  }
  for (;;) {
    const name = cursor.match(LABEL_NAME, 'a label name');
    if (Object.hasOwn(out, name)) cursor.fail(`label ${name} repeated`);
    cursor.expect('="');
    out[name] = escapedString(cursor, '"');
    cursor.expect('"');
    if (cursor.text[cursor.pos] === ',') {
      cursor.pos++;
      continue;
    }
    cursor.expect('}');
    return out;
  }
}

/** Reads `text` as OpenMetrics 1.0.0 (or Prometheus 0.0.4) and checks it; throws on the first violation. */
export function readOpenMetrics(text: string, dialect: 'openmetrics' | 'prometheus' = 'openmetrics'): OmFamily[] {
  const openMetrics = dialect === 'openmetrics';
  const SUFFIXES = openMetrics ? OM_SUFFIXES : { ...OM_SUFFIXES, counter: [''] };
  if (text.includes('\r')) throw new Error('carriage return in the exposition');
  if (text.charCodeAt(0) === 0xfeff) throw new Error('byte order mark');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (openMetrics) {
    if (lines.at(-1) !== '# EOF') throw new Error('the exposition does not end with "# EOF"');
    lines.pop();
  } else if (!text.endsWith('\n')) throw new Error('the exposition does not end with a line feed');

  const families: OmFamily[] = [];
  const closed = new Set<string>();
  let family: OmFamily | undefined;
  let seenSamples = false;
  let lastMetricKey: string | undefined;
  const doneMetrics = new Set<string>();
  const typed = new Set<string>();
  const lastTimes = new Map<string, number | undefined>();

  const open = (name: string, lineNo: number) => {
    if (closed.has(name) || families.some((f) => f.name === name && f !== family)) throw new Error(`line ${lineNo}: family ${name} interleaved or repeated`);
    if (family && family.name !== name) closed.add(family.name);
    if (!family || family.name !== name) {
      family = { name, type: 'unknown', samples: [] };
      typed.delete(name);
      families.push(family);
      seenSamples = false;
      lastMetricKey = undefined;
      doneMetrics.clear();
    }
    return family;
  };

  lines.forEach((line, index) => {
    const cursor = new Cursor(line, index + 1);
    if (line.startsWith('#')) {
      cursor.expect('# ');
      const keyword = cursor.match(openMetrics ? /^(TYPE|HELP|UNIT)/ : /^(TYPE|HELP)/, openMetrics ? 'TYPE, HELP or UNIT' : 'TYPE or HELP');
      cursor.expect(' ');
      const name = cursor.match(METRIC_NAME, 'a metric name');
      const current = open(name, index + 1);
      if (seenSamples) cursor.fail('metadata after samples');
      const key = keyword.toLowerCase() as 'type' | 'help' | 'unit';
      if (key === 'type' ? typed.has(name) : current[key] !== undefined) cursor.fail(`${keyword} repeated`);
      if (key === 'type') typed.add(name);
      if (keyword === 'TYPE') {
        cursor.expect(' ');
        current.type = cursor.match(/^(counter|gauge|histogram|gaugehistogram|stateset|info|summary|unknown)$/, 'a metric type');
        if (!SUFFIXES[current.type]) cursor.fail(`type ${current.type} is not one this reader checks`);
      } else if (keyword === 'HELP') {
        cursor.expect(' ');
        current.help = escapedString(cursor, undefined);
      } else {
        cursor.expect(' ');
        current.unit = cursor.match(/^[a-zA-Z0-9_:]*$/, 'a unit');
        if (current.unit !== '' && !name.endsWith(`_${current.unit}`)) cursor.fail(`the name does not end with _${current.unit}`);
      }
      if (!cursor.done()) cursor.fail('trailing text');
      return;
    }

    const sampleName = cursor.match(METRIC_NAME, 'a metric name');
    // A sample that is not of the current family starts a new one, of type unknown.
    const ofCurrent = family !== undefined && SUFFIXES[family.type].some((s) => sampleName === family!.name + s);
    const current = ofCurrent ? family! : open(sampleName, index + 1);
    const suffix = SUFFIXES[current.type].find((s) => sampleName === current.name + s);
    if (suffix === undefined) cursor.fail(`${sampleName} is not a sample of ${current.type} ${current.name}`);
    seenSamples = true;
    const sampleLabels = cursor.text[cursor.pos] === '{' ? labels(cursor) : {};
    for (const name of Object.keys(sampleLabels)) if (name.startsWith('__')) cursor.fail(`reserved label ${name}`);
    cursor.expect(' ');
    const value = number(cursor, false);
    let sampleTime: number | undefined;
    if (cursor.text.startsWith(' ', cursor.pos) && !cursor.text.startsWith(' #', cursor.pos)) {
      cursor.pos++;
      sampleTime = number(cursor, true);
    }
    // The same sample again is another point of the same metric: it needs a timestamp, not before the last one.
    const sampleKey = sampleName + JSON.stringify(Object.entries(sampleLabels).sort());
    if (lastTimes.has(sampleKey)) {
      const last = lastTimes.get(sampleKey);
      if (last === undefined || sampleTime === undefined || sampleTime < last) cursor.fail('a repeated sample without a timestamp, or with an earlier one');
    }
    lastTimes.set(sampleKey, sampleTime);
    const countLike = (current.type === 'counter' && suffix !== '_created') || suffix === '_count' || suffix === '_bucket' || (suffix === '_sum' && current.type !== 'histogram');
    if (countLike && !(value >= 0)) cursor.fail(`${suffix} below zero or NaN`);
    if ('quantile' in sampleLabels && current.type === 'summary') {
      const q = Number(sampleLabels.quantile);
      if (!(q >= 0 && q <= 1) || !REAL.test(sampleLabels.quantile)) cursor.fail(`quantile ${sampleLabels.quantile} outside 0..1`);
      if (value < 0) cursor.fail('a negative quantile value');
    }
    const sample: OmSample = { name: sampleName, labels: sampleLabels, value };
    if (!cursor.done()) {
      cursor.expect(' # ');
      const exemplarLabels = labels(cursor);
      const chars = Object.entries(exemplarLabels).reduce((n, [k, v]) => n + [...k].length + [...v].length, 0);
      if (chars > MAX_EXEMPLAR_LABEL_CHARS) cursor.fail(`exemplar labels of ${chars} characters`);
      cursor.expect(' ');
      const exemplarValue = number(cursor, false);
      let timestamp: number | undefined;
      if (!cursor.done()) {
        cursor.expect(' ');
        timestamp = number(cursor, true);
      }
      if (!cursor.done()) cursor.fail('trailing text after the exemplar');
      if (!openMetrics) cursor.fail('an exemplar in Prometheus text');
      if (suffix !== '_bucket' && suffix !== '_total') cursor.fail(`an exemplar on a ${suffix || current.type} sample`);
      sample.exemplar = { labels: exemplarLabels, value: exemplarValue, timestamp };
    }
    if (current.type === 'histogram' && !('le' in sampleLabels) === (suffix === '_bucket')) cursor.fail('le on a sample other than _bucket, or missing');
    if (current.type === 'summary' && !('quantile' in sampleLabels) === (suffix === '')) cursor.fail('quantile on a sample other than the quantiles, or missing');

    // Metrics (label sets without le / quantile) of a family must not interleave.
    const { le: _le, quantile: _q, ...identity } = sampleLabels;
    void [_le, _q];
    const metricKey = JSON.stringify(Object.entries(identity).sort());
    if (metricKey !== lastMetricKey) {
      if (doneMetrics.has(metricKey)) cursor.fail('metric interleaved with another of its family');
      if (lastMetricKey !== undefined) doneMetrics.add(lastMetricKey);
      lastMetricKey = metricKey;
    }
    current.samples.push(sample);
  });
  for (const f of families) if (f.type === 'histogram') checkHistogram(f);
  // No family may be named like a sample of another (a gauge a_created next to a counter a).
  for (const f of families) {
    for (const other of families) {
      if (other !== f && OM_SUFFIXES[other.type].some((suffix) => suffix !== '' && other.name + suffix === f.name)) throw new Error(`family ${f.name} clashes with ${other.type} ${other.name}`);
    }
  }
  return families;
}

// Buckets in increasing le, cumulative, ending in +Inf equal to _count; each exemplar inside its bucket.
function checkHistogram(family: OmFamily): void {
  const byMetric = new Map<string, OmSample[]>();
  for (const sample of family.samples) {
    const { le: _le, ...identity } = sample.labels;
    void _le;
    const key = JSON.stringify(Object.entries(identity).sort());
    byMetric.set(key, [...(byMetric.get(key) ?? []), sample]);
  }
  for (const [key, samples] of byMetric) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    let previousLe = -Infinity;
    let previousCount = 0;
    for (const bucket of buckets) {
      const le = bucket.labels.le === '+Inf' ? Infinity : Number(bucket.labels.le);
      if (!(le > previousLe)) throw new Error(`${family.name}${key}: le ${bucket.labels.le} not increasing`);
      if (bucket.value < previousCount) throw new Error(`${family.name}${key}: bucket ${bucket.labels.le} not cumulative`);
      if (bucket.exemplar && !(bucket.exemplar.value <= le)) throw new Error(`${family.name}${key}: exemplar ${bucket.exemplar.value} above le ${bucket.labels.le}`);
      previousLe = le;
      previousCount = bucket.value;
    }
    if (buckets.length === 0 || buckets.at(-1)!.labels.le !== '+Inf') throw new Error(`${family.name}${key}: no +Inf bucket`);
    const count = samples.find((s) => s.name.endsWith('_count'));
    const sum = samples.find((s) => s.name.endsWith('_sum'));
    const negative = buckets.some((b) => Number(b.labels.le) < 0);
    if (sum && negative) throw new Error(`${family.name}${key}: _sum with negative buckets`);
    if (sum && !negative && !(sum.value >= 0)) throw new Error(`${family.name}${key}: _sum below zero or NaN`);
    if ((count === undefined) !== (sum === undefined)) throw new Error(`${family.name}${key}: _count and _sum go together`);
    if (count && count.value !== buckets.at(-1)!.value) throw new Error(`${family.name}${key}: _count ${count.value} is not the +Inf bucket ${buckets.at(-1)!.value}`);
  }
}
