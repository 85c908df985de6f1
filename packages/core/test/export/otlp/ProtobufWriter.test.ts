import { expect } from 'chai';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { ProtobufWriter } from '../../../src/export/otlp/ProtobufWriter.js';

// protobufjs's own Writer is the reference for the wire format.
function reference(build: (w: protobuf.Writer) => void): Buffer {
  const w = protobuf.Writer.create();
  build(w);
  return Buffer.from(w.finish());
}

function ours(build: (w: ProtobufWriter) => void): Buffer {
  const w = new ProtobufWriter(8);
  build(w);
  return w.finish();
}

describe('ProtobufWriter', () => {
  it('writes varints, int64, fixed64, fixed32 and doubles as protobufjs does', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.maxSafeInteger(), fc.double(), (u32, i64, d) => {
        expect(ours((w) => w.uint32(u32))).to.deep.equal(reference((w) => w.uint32(u32)));
        expect(ours((w) => w.int64(i64))).to.deep.equal(reference((w) => w.int64(i64)));
        expect(ours((w) => w.fixed32(u32))).to.deep.equal(reference((w) => w.fixed32(u32)));
        expect(ours((w) => w.double(d))).to.deep.equal(reference((w) => w.double(d)));
      }),
      { numRuns: 1000 },
    );
    expect(ours((w) => w.int64(-1))).to.have.length(10);
  });

  it('writes strings of any length and content as protobufjs does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 300 })), (text) => {
        expect(ours((w) => w.string(text))).to.deep.equal(reference((w) => w.string(text)));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes ids from hex as bytes', () => {
    expect(ours((w) => w.bytesFromHex('0aF7ff00'))).to.deep.equal(Buffer.from([4, 0x0a, 0xf7, 0xff, 0x00]));
  });

  it('patches lengths reserved two bytes ahead (spans), moving short and very long messages to fit', () => {
    for (const size of [0, 1, 125, 126, 127, 128, 16_380, 16_381, 16_382, 16_383, 16_384, 300_000]) {
      const payload = 'z'.repeat(size);
      const expected = reference((w) => {
        w.uint32(0x12).fork().uint32(0x0a).bytes(Buffer.from(payload)).ldelim().uint32(0x18).uint32(7);
      });
      const actual = ours((w) => {
        w.tag(0x12);
        const start = w.fork(2);
        w.tag(0x0a);
        w.uint32(size);
        w.copy(Buffer.from(payload));
        w.join(start, 2);
        w.tag(0x18);
        w.uint32(7);
      });
      expect(actual.equals(expected), `size ${size}`).to.equal(true);
    }
  });

  it('patches nested message lengths, moving long messages to fit a longer length', () => {
    for (const size of [0, 1, 127, 128, 16_383, 16_384, 300_000]) {
      const payload = 'y'.repeat(size);
      const expected = reference((w) => {
        w.uint32(0x0a).fork().uint32(0x12).bytes(Buffer.from(payload)).ldelim();
      });
      const actual = ours((w) => {
        w.tag(0x0a);
        const start = w.fork();
        w.tag(0x12);
        w.uint32(size);
        w.copy(Buffer.from(payload));
        w.join(start);
      });
      expect(actual.equals(expected), `size ${size}`).to.equal(true);
    }
  });
});
