#!/usr/bin/env node
// `npx audit-tracing-viewer [--port 16686] [--host 127.0.0.1] [--file spans.jsonl]... [--persist store.jsonl] [--token T]`
import { parseArgs } from 'node:util';
import { startViewer, type StartViewerOptions } from './server.js';

const USAGE = `Usage: audit-tracing-viewer [options]

  --port <n>        port to listen on (default 16686; 0 picks a free one)
  --host <addr>     address to bind (default 127.0.0.1; anything else exposes your spans: use --token)
  --file <path>     load spans from a JSON-lines (FileSpanExporter) or OTLP file; may be repeated;
                    JSON-lines files are followed as they grow
  --persist <path>  keep the store in this JSON-lines file, so a restart keeps the traces
  --token <t>       require this token (Authorization: Bearer, or ?token= once in the browser);
                    also read from AUDIT_TRACING_VIEWER_TOKEN
  --max-spans <n>   spans kept (default 100000)
  --help

Send spans with OTLP/HTTP to http://<host>:<port>/v1/traces (protobuf or JSON)
or Zipkin v2 JSON to http://<host>:<port>/api/v2/spans.`;

/** Reads the command line into viewer options. Throws an Error with a message for the user. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): StartViewerOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      file: { type: 'string', multiple: true },
      persist: { type: 'string' },
      token: { type: 'string' },
      'max-spans': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const number = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new Error(`--${name}: expected a whole number, got ${JSON.stringify(text.slice(0, 40))}`);
    return Number(text);
  };
  const options: StartViewerOptions = {};
  const port = number('port', values.port);
  if (port !== undefined) options.port = port;
  if (values.host !== undefined) options.host = values.host;
  if (values.file !== undefined) options.files = values.file;
  if (values.persist !== undefined) options.persistFile = values.persist;
  const token = values.token ?? env.AUDIT_TRACING_VIEWER_TOKEN;
  if (token !== undefined && token !== '') options.token = token;
  const maxSpans = number('max-spans', values['max-spans']);
  if (maxSpans !== undefined) options.maxSpans = maxSpans;
  return options;
}

async function main(): Promise<void> {
  let options: StartViewerOptions | 'help';
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  let running: Awaited<ReturnType<typeof startViewer>>;
  try {
    running = await startViewer(options);
  } catch (error) {
    console.error(`audit-tracing-viewer: ${(error as Error).message}`);
    process.exit(1);
  }
  const { store } = running.viewer.getStats();
  console.log(`audit-tracing viewer on ${running.url}/ (${store.traces} traces, ${store.spans} spans loaded)`);
  console.log(`  OTLP/HTTP  ${running.url}/v1/traces    Zipkin  ${running.url}/api/v2/spans`);
  if (options.token !== undefined) console.log('  a token is required: open the page with ?token=<your token>');
  else if (!['127.0.0.1', '::1', 'localhost'].includes(options.host ?? '127.0.0.1')) {
    console.warn(`  warning: listening on ${options.host} without a token: anyone who can reach it reads and writes your spans (--token)`);
  }
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) void main();
