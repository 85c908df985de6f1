/**
 * `object[key] = value`, except that a key `__proto__` (a tag name or log field from hostile input, say) becomes an
 * own property instead of replacing the object's prototype: assigning it would lose the value, or make every key
 * of another object look like a tag.
 */
export function setOwnProperty(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}
