// `npm start -- --serve`: the demo's three services and a trace viewer keep running, the services exporting to it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

describe('the demo with --serve (`npm start -- --serve`)', () => {
  const root = path.resolve(__dirname, '../..');
  const built = ['core', 'express', 'koa', 'fastify', 'fetch', 'viewer'].every((name) => existsSync(path.join(root, 'packages', name, 'dist', 'index.mjs')));

  it("prints the viewer's address, which shows the demo's traces; the services keep running until SIGINT", async function () {
    // The demo imports the built packages; `npm test` builds first.
    if (!built) this.skip();
    this.timeout(30_000);
    const env: NodeJS.ProcessEnv = { ...process.env, VIEWER_PORT: '0' };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const child = spawn(process.execPath, [path.join(root, 'examples/demo/run.mjs'), '--serve'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const { viewerUrl, gatewayUrl } = await new Promise<{ viewerUrl: string; gatewayUrl: string }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk;
          const viewer = /^Trace viewer: (http:\/\/127\.0\.0\.1:\d+)\//m.exec(out);
          const gateway = /try (http:\/\/127\.0\.0\.1:\d+)\/checkout\/pear/.exec(out);
          if (viewer && gateway) resolve({ viewerUrl: viewer[1], gatewayUrl: gateway[1] });
        });
        child.once('exit', (code) => reject(new Error(`the demo exited (${code}) before serving:\n${out}`)));
      });
      const list = async () => ((await (await fetch(`${viewerUrl}/api/traces`)).json()) as { traces: Array<{ rootService: string; spanCount: number; errorCount: number }> }).traces;
      const traces = await list();
      expect(traces).to.have.length(4);
      for (const trace of traces) expect(trace).to.include({ rootService: 'gateway', spanCount: 6 });
      expect(traces.filter((trace) => trace.errorCount > 0)).to.have.length(1);
      // Still running: one more checkout shows up in the viewer.
      expect((await fetch(`${gatewayUrl}/checkout/pear`)).status).to.equal(200);
      const deadline = Date.now() + 5000;
      while ((await list()).length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await list()).to.have.length(5);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
