/**
 * @module The regime -> exposure matrix, as portfolio construction uses it. The labels and the
 * matrix are defined in regime/labels.ts (the layer below, which produces the labels).
 */
export * from '../regime/labels.js';
