// A deadline for flushes and shutdowns: a promise that resolves when the time is up, on a timer that never keeps
// the process alive, and can be cancelled.

export interface Deadline {
  /** Resolves (to `true`) when the time is up. */
  readonly passed: Promise<true>;
  /** Epoch of `performance.now()` when it passes. */
  readonly at: number;
  cancel(): void;
}

export function deadline(ms: number): Deadline {
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<true>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms), true);
    timer.unref();
  });
  return { passed, at: performance.now() + ms, cancel: () => clearTimeout(timer) };
}

/** `work`, or `undefined` once `limit` passes first. Never rejects. */
export async function within<T>(work: Promise<T>, limit: Deadline): Promise<T | undefined> {
  return Promise.race([work.catch(() => undefined), limit.passed.then(() => undefined)]);
}
