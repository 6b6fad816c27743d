/**
 * Shape checks for cached layer analyses. The checksum proves an entry is intact, not that it was
 * written by this code, so every field is checked before the applier trusts it.
 *
 * @module
 */

import type { LayerAnalysis } from '../types.js';

/** Returns why `value` is not a LayerAnalysis of `diffID`, or undefined when it is one. */
export function layerAnalysisProblem(value: unknown, diffID: string): string | undefined {
  if (!isObject(value)) return 'the analysis is not an object';
  if (value.diffID !== diffID) return 'the entry names another layer';
  if (!isObject(value.osFiles) || !Object.values(value.osFiles).every(isString)) return 'osFiles is not a map of paths to text';
  if (!isStringArray(value.whiteouts)) return 'whiteouts is not a list of paths';
  if (!isStringArray(value.opaqueDirs)) return 'opaqueDirs is not a list of paths';
  if (!isObject(value.analyzers) || !Object.values(value.analyzers).every((version) => typeof version === 'number')) {
    return 'analyzers is not a map of types to versions';
  }
  if (!Array.isArray(value.unknowns) || !value.unknowns.every((unknown) => isObject(unknown) && isString(unknown.path) && isString(unknown.reason))) {
    return 'unknowns is not a list of paths and reasons';
  }
  if (!Array.isArray(value.packageDatabases)) return 'packageDatabases is not a list';
  for (const database of value.packageDatabases) {
    if (!isObject(database) || !isString(database.type) || !isString(database.path) || !Array.isArray(database.packages)) {
      return 'a package database lacks its type, path or packages';
    }
    if (!database.packages.every(isPackage)) return `a package of ${database.path} lacks a name, version or source`;
  }
  return undefined;
}

/** Narrows after layerAnalysisProblem returned undefined. */
export function asLayerAnalysis(value: unknown): LayerAnalysis {
  return value as LayerAnalysis;
}

function isPackage(value: unknown): boolean {
  if (!isObject(value)) return false;
  const optionalText = (field: unknown) => field === undefined || isString(field);
  return isString(value.name) && isString(value.version) && isString(value.srcName) && isString(value.srcVersion) && optionalText(value.arch);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}
