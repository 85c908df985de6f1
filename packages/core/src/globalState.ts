import type { ContextManager } from './context/ContextManager.js';
import type { DiagLogger } from './diag.js';
import { VERSION } from './version.js';

/**
 * The process-wide state of core: the context manager, the global tracer and the diagnostic logger. An app can
 * end up with two copies of core (a dependency pinned to another version, a bundled copy); the active span and
 * the global tracer must still be one, or an adapter from one copy never sees the span of the other. So the
 * state is kept on `globalThis` under a registered symbol, as OpenTelemetry's API keeps its globals
 * (api/src/internal/global-utils.ts), and shared by every copy of the same major version.
 */
export interface CoreState {
  readonly version: string;
  contextManager?: ContextManager;
  /** An `AuditTracer`, possibly of another (compatible) copy of core; typed in trace/globalTracer.ts. */
  globalTracer?: object;
  diagLogger?: DiagLogger;
  readonly warned: Set<string>;
}

const GLOBAL_KEY = Symbol.for('audit-tracing.core');

/**
 * The part of a version within which copies share state: the major, or for 0.x the minor as well (0.1 and 0.2
 * are as incompatible as 1 and 2, which is also what a caret range means).
 */
export function compatibilityLine(version: string): string {
  const [major, minor] = version.split('.');
  return major === '0' ? `0.${minor}` : String(major);
}

type GlobalWithState = typeof globalThis & { [GLOBAL_KEY]?: CoreState };

function resolveState(): { state: CoreState; conflict: string | undefined } {
  const own: CoreState = { version: VERSION, warned: new Set() };
  const holder = globalThis as GlobalWithState;
  const existing = holder[GLOBAL_KEY];
  if (existing === undefined) {
    holder[GLOBAL_KEY] = own;
    return { state: own, conflict: undefined };
  }
  if (compatibilityLine(existing.version) === compatibilityLine(VERSION)) return { state: existing, conflict: undefined };
  return { state: own, conflict: existing.version };
}

const resolved = resolveState();

/** The state this copy of core uses: shared with the first compatible copy loaded, or its own. */
export const coreState: CoreState = resolved.state;

/**
 * The version of an incompatible copy of core already loaded in this process, if any; this copy then keeps
 * its own context and global tracer, and spans of one copy are not seen by adapters of the other.
 */
export const conflictingVersion: string | undefined = resolved.conflict;
