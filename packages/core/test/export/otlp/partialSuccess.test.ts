import { expect } from 'chai';
import { readPartialSuccessJson, readPartialSuccessProtobuf } from '../../../src/export/otlp/partialSuccess.js';
import { encodeTraceResponse, TraceResponse } from '../../helpers/otlpDecode.js';

describe('partial success', () => {
  it('reads rejected spans from a JSON response, as a string or a number', () => {
    const body = (value: unknown) => Buffer.from(JSON.stringify(value));
    expect(readPartialSuccessJson(body({ partialSuccess: { rejectedSpans: '3', errorMessage: 'too old' } }))).to.deep.equal({ rejectedSpans: 3, errorMessage: 'too old' });
    expect(readPartialSuccessJson(body({ partialSuccess: { rejectedSpans: 2 } }))).to.deep.equal({ rejectedSpans: 2, errorMessage: '' });
  });

  it('finds nothing in an empty, full-success or unreadable JSON response', () => {
    expect(readPartialSuccessJson(Buffer.alloc(0))).to.equal(undefined);
    expect(readPartialSuccessJson(Buffer.from('{}'))).to.equal(undefined);
    expect(readPartialSuccessJson(Buffer.from('{"partialSuccess":{}}'))).to.equal(undefined);
    expect(readPartialSuccessJson(Buffer.from('<html>'))).to.equal(undefined);
    expect(readPartialSuccessJson(Buffer.from('null'))).to.equal(undefined);
    expect(readPartialSuccessJson(Buffer.from('{"partialSuccess":{"rejectedSpans":"-1"}}'))).to.equal(undefined);
  });

  it('reads rejected spans from a protobuf response encoded with the official definitions', () => {
    const body = Buffer.from(encodeTraceResponse({ rejectedSpans: 300, errorMessage: 'quota ✗' }));
    expect(readPartialSuccessProtobuf(body)).to.deep.equal({ rejectedSpans: 300, errorMessage: 'quota ✗' });
  });

  it('finds nothing in an empty, full-success or malformed protobuf response', () => {
    expect(readPartialSuccessProtobuf(Buffer.alloc(0))).to.equal(undefined);
    expect(readPartialSuccessProtobuf(Buffer.from(TraceResponse.encode({}).finish()))).to.equal(undefined);
    expect(readPartialSuccessProtobuf(Buffer.from([0x0a, 0x05, 0x08]))).to.equal(undefined);
    expect(readPartialSuccessProtobuf(Buffer.from('not protobuf at all'))).to.equal(undefined);
  });
});
