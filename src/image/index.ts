/**
 * Image sources: `docker save` archives (classic and Docker 25+), OCI archives, gzip-compressed
 * archives of either, and OCI layout directories, read in place without extraction.
 *
 * @module
 */

export { openImage, type ImageFormat, type ImageSource, type OpenImageOptions } from './source.js';
export { formatPlatform, hostPlatform, parsePlatform, platformMatches } from './platform.js';
