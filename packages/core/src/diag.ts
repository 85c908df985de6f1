import { conflictingVersion, coreState } from './globalState.js';
import { VERSION } from './version.js';

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

// Shared with every compatible copy of core in the process, like the context (see globalState.ts).
const warned = coreState.warned;

function logger(): DiagLogger {
  return coreState.diagLogger ?? consoleLogger;
}

/** Replace the diagnostic logger (pass `undefined` to restore the console one). */
export function setDiagLogger(next: DiagLogger | undefined): void {
  coreState.diagLogger = next;
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
    safely(() => logger().warn(message));
  },
  error(message: string): void {
    safely(() => logger().error(message));
  },
  debug(message: string): void {
    safely(() => logger().debug?.(message));
  },
  /** Report a condition once per process per key, so a hot path cannot flood the logs. */
  warnOnce(key: string, message: string): void {
    if (warned.has(key)) return;
    warned.add(key);
    safely(() => logger().warn(message));
  },
};

if (conflictingVersion !== undefined) {
  diag.warnOnce(
    'core.conflictingVersion',
    `@audit-tracing/core ${VERSION} is loaded next to an incompatible ${conflictingVersion}: each keeps its own context and global tracer, so spans of one are not seen by adapters of the other. Install one version (npm ls @audit-tracing/core shows which packages pull in which).`,
  );
}
