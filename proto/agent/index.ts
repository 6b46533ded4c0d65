export * from './codec.js';
export * from './export-resources.js';
export * from './repository-access.js';
export * from './failure-types.js';
export * from './run-hook.js';
export * from './backup-scope.js';
export * from './volume-snapshots.js';
export * from './restore-resources.js';
