export * from './codec.js';
export * from './names.js';
export * from './mover-pods.js';
export * from './volume-copy.js';
export * from './copied-volume.js';
export * from './volume-digest.js';
