/**
 * `npm run bench [-- <name>] [-- flags]`: dispatches to one benchmark (default: all of them).
 * Each benchmark lives in its own folder and exports `main(args)`.
 */
const BENCHMARKS: Record<string, () => Promise<{ main: (args: string[]) => Promise<void> }>> = {
  datamover: () => import('./datamover/main.js'),
  gateway: () => import('./gateway/main.js'),
  gc: () => import('./gc/main.js'),
  'many-files': () => import('./many-files/main.js'),
  resources: () => import('./resources/main.js'),
  safelock: () => import('./safelock/main.js'),
  workflows: () => import('./workflows/main.js'),
};

const args = process.argv.slice(2);
const named = args.filter((arg) => arg in BENCHMARKS);
const flags = args.filter((arg) => !(arg in BENCHMARKS));
for (const name of named.length > 0 ? named : Object.keys(BENCHMARKS)) {
  await (await BENCHMARKS[name]!()).main(flags);
}
