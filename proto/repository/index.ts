export * from './codec.js';
export * from './repository-header.js';
export * from './manifest.js';
export * from './pack-index.js';
export * from './snapshot.js';
export * from './coordination.js';
export * from './checkpoint.js';
