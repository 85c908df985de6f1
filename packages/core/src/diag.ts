/** Where the library reports its own trouble. It must never throw into the host app. */
export interface DiagLogger {
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

const consoleLogger: DiagLogger = {
  warn: (message) => console.warn(`[audit-tracing] ${message}`),
  error: (message) => console.error(`[audit-tracing] ${message}`),
};

let logger: DiagLogger = consoleLogger;
const warned = new Set<string>();

/** Replace the diagnostic logger (pass `undefined` to restore the console one). */
export function setDiagLogger(next: DiagLogger | undefined): void {
  logger = next ?? consoleLogger;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // a broken logger must not break the traced service
  }
}

export const diag = {
  warn(message: string): void {
    safely(() => logger.warn(message));
  },
  error(message: string): void {
    safely(() => logger.error(message));
  },
  debug(message: string): void {
    safely(() => logger.debug?.(message));
  },
  /** Report a condition once per process per key, so a hot path cannot flood the logs. */
  warnOnce(key: string, message: string): void {
    if (warned.has(key)) return;
    warned.add(key);
    safely(() => logger.warn(message));
  },
};
