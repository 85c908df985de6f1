import { expect } from 'chai';
import { launchChromium } from '../helpers/browser.js';

describe('viewer browser tests: without Chromium', () => {
  it('fail at once with a message saying how to install it', async () => {
    const started = Date.now();
    const error = await launchChromium('/nonexistent/chromium').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.include('apt-get install chromium');
    expect(Date.now() - started).to.be.below(1000);
  });
});
