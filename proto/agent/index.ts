export * from './codec.js';
export * from './export-resources.js';
export * from './repository-access.js';
export * from './failure-types.js';
