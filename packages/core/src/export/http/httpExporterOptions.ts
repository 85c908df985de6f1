import type { ExporterSettings } from '../registry.js';
import type { HttpExporterOptions } from './HttpSpanExporter.js';

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) delete headers[key];
  headers[name] = value;
}

/**
 * The headers network exporters send: `headers` (environment and options merged), then `apiKey` as
 * `Authorization: Bearer <key>` and `authHeader` (`Name: value`), each replacing a header of the same name.
 */
export function exportHeaders(config: Pick<ExporterSettings, 'headers' | 'apiKey' | 'authHeader'>): Record<string, string> {
  const headers: Record<string, string> = { ...config.headers };
  if (config.apiKey) setHeader(headers, 'Authorization', `Bearer ${config.apiKey}`);
  if (config.authHeader) {
    const colon = config.authHeader.indexOf(':');
    setHeader(headers, config.authHeader.slice(0, colon).trim(), config.authHeader.slice(colon + 1).trim());
  }
  return headers;
}

/** The options every HTTP exporter takes, as the tracing configuration sets them. */
export function httpExporterOptions(config: ExporterSettings): HttpExporterOptions {
  return { headers: exportHeaders(config), compression: config.compression, timeoutMs: config.exportTimeoutMs, retry: config.retry, maxBodyBytes: config.exportMaxBodyBytes };
}
