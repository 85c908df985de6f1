// Bound at import time, as ESM apps write it: shows the http wrapper reaches named imports too.
import { get } from 'node:http';

export function esmGet(url) {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}
