// The diagnostic logger's warnings and errors, captured for the tests of one describe block.
import { setDiagLogger } from '../../src/diag.js';

/** Installs a capturing logger before each test of the enclosing block and removes it after; returns the lines. */
export function captureWarnings(): string[] {
  const warnings: string[] = [];
  beforeEach(() => setDiagLogger({ warn: (m) => warnings.push(m), error: (m) => warnings.push(m) }));
  afterEach(() => {
    setDiagLogger(undefined);
    warnings.length = 0;
  });
  return warnings;
}
