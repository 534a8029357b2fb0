// The esbuild plugin behind every browser build (scripts/build.mjs for dist/browser.js, and
// scripts/playground.mjs): a src file with a sibling `name.browser.ts` is replaced by that sibling, so no
// Node built-in reaches a browser bundle.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Source file (absolute, .ts) of a relative import; esbuild resolves `./x.js` to `./x.ts` the same way. */
export const sourceOf = (args) => resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');

export const browserFiles = {
  name: 'browser-files',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const alt = sourceOf(args).replace(/\.ts$/, '.browser.ts');
      return !args.path.endsWith('.browser.js') && existsSync(alt) ? { path: alt } : undefined;
    });
  },
};
