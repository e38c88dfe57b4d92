// The sampler's guard around every metric reader (sampler.ts): a reader that throws or rejects
// yields undefined instead, and its failure is logged once per episode (warn the first time,
// debug while it keeps failing with the same message, info when it recovers).
import type { Logger } from './log.js';
import type { Awaitable } from './metrics/types.js';

export type ReaderName = 'cpu' | 'memory' | 'load' | 'network' | 'disk' | 'host' | 'refresh';

export class GuardedReaders {
  private readonly failing = new Map<ReaderName, string>();

  /** `onNewFailure` hears each episode's first failure (the sampler's `error` event). */
  constructor(
    private readonly logger: Logger,
    private readonly onNewFailure: (error: Error) => void,
  ) {}

  /** Runs one reader; a failure is logged (once per episode) and yields undefined. */
  read<T>(name: ReaderName, reader: () => Awaitable<T>): Awaitable<T | undefined> {
    try {
      const value = reader();
      if (isPromiseLike(value)) {
        return value.then(
          (v) => this.ok(name, v),
          (error: unknown) => this.failed(name, error),
        );
      }
      return this.ok(name, value);
    } catch (error) {
      return this.failed(name, error);
    }
  }

  private ok<T>(name: ReaderName, value: T): T {
    if (this.failing.delete(name)) this.logger.info(`${name} reader recovered`);
    return value;
  }

  failed(name: ReaderName, error: unknown): undefined {
    const err = error instanceof Error ? error : new Error(String(error));
    // Say it once per episode: a reader failing every second must not flood the log.
    if (this.failing.get(name) === err.message) {
      this.logger.debug(`${name} reader failed again`, { error: err });
      return undefined;
    }
    this.failing.set(name, err.message);
    this.logger.warn(`${name} reader failed; skipped`, { error: err });
    this.onNewFailure(err);
    return undefined;
  }
}

export function isPromiseLike<T>(value: Awaitable<T>): value is Promise<T> {
  return typeof (value as Promise<T> | null)?.then === 'function';
}
