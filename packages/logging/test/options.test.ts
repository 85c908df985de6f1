import { expect } from 'chai';
import { correlateWinston, ERR_INVALID_OPTION, pinoMixin, winstonFormat } from '../src/index.js';

const setups: Record<string, (options: unknown) => unknown> = {
  pinoMixin: (options) => pinoMixin(options as never),
  winstonFormat: (options) => winstonFormat(options as never),
  correlateWinston: (options) => correlateWinston({ write: () => true }, options as never),
};

function thrown(fn: () => unknown): { name: string; code: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { name: string; code: string; message: string };
  }
  throw new Error('did not throw');
}

describe('logging options are checked once, at set-up', () => {
  for (const [owner, setUp] of Object.entries(setups)) {
    describe(owner, () => {
      it('accepts no options, empty options and complete logKeys', () => {
        setUp(undefined);
        setUp({});
        setUp({ logKeys: { traceId: 'traceId', spanId: 'spanId', traceFlags: 'traceFlags' } });
      });

      const bad: Array<[string, unknown, string]> = [
        ['options that are not an object', 'trace', `${owner}.options: expected an object, got "trace"`],
        ['an unknown option', { logkeys: {} }, `${owner}.logkeys: unknown option (known: logKeys)`],
        ['logKeys that is not an object', { logKeys: 'trace_id' }, `${owner}.logKeys: expected an object { traceId, spanId, traceFlags }, got "trace_id"`],
        ['a missing key', { logKeys: { traceId: 't', spanId: 's' } }, `${owner}.logKeys.traceFlags: expected a non-empty string, got undefined`],
        ['an empty key', { logKeys: { traceId: '', spanId: 's', traceFlags: 'f' } }, `${owner}.logKeys.traceId: expected a non-empty string, got ""`],
        ['an unknown key', { logKeys: { traceId: 't', spanId: 's', traceFlags: 'f', parentId: 'p' } }, `${owner}.logKeys.parentId: unknown option (known: traceId, spanId, traceFlags)`],
        ['two ids under one name', { logKeys: { traceId: 'id', spanId: 'id', traceFlags: 'f' } }, `${owner}.logKeys: expected three different field names, got "id", "id", "f"`],
      ];
      for (const [what, options, message] of bad) {
        it(`rejects ${what}`, () => {
          const error = thrown(() => setUp(options));
          expect(error).to.be.instanceOf(TypeError);
          expect(error.code).to.equal(ERR_INVALID_OPTION);
          expect(error.message).to.equal(message);
        });
      }
    });
  }

  it('correlateWinston rejects what is not a logger', () => {
    for (const logger of [undefined, null, {}, { write: 'no' }]) {
      const error = thrown(() => correlateWinston(logger as never));
      expect(error.code).to.equal(ERR_INVALID_OPTION);
      expect(error.message).to.match(/^correlateWinston\.logger: expected a winston logger \(an object with write\(\)\), got /);
    }
  });
});
