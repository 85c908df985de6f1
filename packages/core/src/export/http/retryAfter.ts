/**
 * Milliseconds to wait according to a `Retry-After` header: delay-seconds or an HTTP date.
 * https://www.rfc-editor.org/rfc/rfc9110#name-retry-after
 * Undefined when the header is absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); bare numbers such as "-5" or "1.5",
  // which Date.parse would happily read as years, are not dates.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
