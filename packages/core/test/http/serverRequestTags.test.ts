import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { setServerRequestTags } from '../../src/http/serverRequestTags.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';
import type { Tags } from '../../src/types.js';

const tracer = new AuditTracer({ exporterType: 'none', serviceName: 'tags' });

function serverRequestTags(req: IncomingMessage, path: string, captureHeaders: readonly string[]): Readonly<Tags> {
  const span = tracer.startSpan('request', null);
  setServerRequestTags(span, req, path, captureHeaders);
  return span.tags;
}

function fakeRequest(method: string, headers: Record<string, string | string[]>, socket: Record<string, unknown> = {}): IncomingMessage {
  return { method, headers, httpVersion: '1.1', socket } as unknown as IncomingMessage;
}

describe('serverRequestTags', () => {
  it('reads server address and port from the Host header', () => {
    const tags = serverRequestTags(fakeRequest('GET', { host: 'shop.example:8443' }), '/', []);
    expect(tags).to.include({ 'server.address': 'shop.example', 'server.port': 8443, 'url.scheme': 'http' });
  });

  it('understands IPv6 hosts and the default port of the scheme', () => {
    expect(serverRequestTags(fakeRequest('GET', { host: '[::1]:3000' }), '/', [])).to.include({ 'server.address': '::1', 'server.port': 3000 });
    const tls = serverRequestTags(fakeRequest('GET', { host: 'shop.example' }, { encrypted: true }), '/', []);
    expect(tls).to.include({ 'server.address': 'shop.example', 'server.port': 443, 'url.scheme': 'https' });
  });

  it('falls back to the socket without a Host header', () => {
    const tags = serverRequestTags(fakeRequest('GET', {}, { localAddress: '10.0.0.1', localPort: 81, remoteAddress: '10.0.0.2' }), '/', []);
    expect(tags).to.include({ 'server.address': '10.0.0.1', 'server.port': 81, 'client.address': '10.0.0.2' });
  });

  it('reports unknown methods as _OTHER, keeping the original', () => {
    const tags = serverRequestTags(fakeRequest('BREW', {}), '/', []);
    expect(tags).to.include({ 'http.request.method': '_OTHER', 'http.request.method_original': 'BREW' });
  });

  it('captures the requested headers as string arrays', () => {
    const tags = serverRequestTags(fakeRequest('GET', { 'x-tenant': 'acme', 'x-multi': ['a', 'b'] }), '/', ['x-tenant', 'x-multi', 'x-absent']);
    expect(tags['http.request.header.x-tenant']).to.deep.equal(['acme']);
    expect(tags['http.request.header.x-multi']).to.deep.equal(['a', 'b']);
    expect('http.request.header.x-absent' in tags).to.equal(false);
  });
});
