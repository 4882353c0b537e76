/** @module The strategy file: schema, load, content hash, starter. */
export * from './schema.js';
export * from './hash.js';
export * from './load.js';
export * from './starter.js';
export * from './jsonSchema.js';
