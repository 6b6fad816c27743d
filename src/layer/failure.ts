/**
 * The errors that the stages of the layer reader throw. The stages do not know which layer they
 * read, so `readLayer` turns each one into a `LayerError` that names the layer.
 *
 * @module
 */

import { StrataError, errorMessage } from '../errors.js';

export class LayerReadError extends Error {
  /** Description of the failure that follows `layer N (...): `, e.g. `truncated: unexpected end of gzip data`. */
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'LayerReadError';
    this.reason = reason;
  }
}

/**
 * A LayerReadError for a layer beyond one of the reader's limits. Its reason names the limit, and
 * the layer is not reported as corrupt.
 */
export class LayerLimitError extends LayerReadError {
  constructor(reason: string) {
    super(reason);
    this.name = 'LayerLimitError';
  }
}

/**
 * Wraps an error raised outside a stage, by its input or by a callback, while it travels through
 * the stage's streams, so that the stage does not describe it as its own failure.
 */
class ForwardedError extends Error {
  readonly original: unknown;

  constructor(original: unknown) {
    super(errorMessage(original));
    this.name = 'ForwardedError';
    this.original = original;
  }
}

/** Wraps an error for `describeFailure` to unwrap unchanged. */
export function forwarded(error: unknown): Error {
  return error instanceof ForwardedError ? error : new ForwardedError(error);
}

/** Yields `source` and marks the errors it throws as forwarded. */
export async function* forwardErrors<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    throw forwarded(error);
  }
}

/**
 * Returns the error a stage should throw: a forwarded error as it was, a LayerReadError or
 * StrataError unchanged, and any other error as a LayerReadError with `reason`.
 */
export function describeFailure(error: unknown, reason: (message: string) => string): Error {
  const original = error instanceof ForwardedError ? error.original : undefined;
  if (original !== undefined) return original instanceof Error ? original : new Error(String(original));
  if (error instanceof LayerReadError || error instanceof StrataError) return error;
  return new LayerReadError(reason(errorMessage(error)), { cause: error });
}
