/**
 * The layer reader: streams a layer blob through verification, decompression and the analyzers.
 *
 * @module
 */

export { readLayer, type ReadLayerOptions } from './reader.js';
export { defaultLayerLimits, type LayerLimits } from './limits.js';
export { detectCompression, type Compression } from './decompress.js';
export { digestBlob } from './blob-digest.js';
