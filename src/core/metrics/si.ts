// The one door to systeminformation. Only the portable readers go through it, and only lazily:
// importing systeminformation costs ~6–10 MB of resident memory that never goes away (measured
// when the readers were written), against an agent budget of 50 MB of which idle Node takes
// ~41 MB. The Linux fast path never calls this, so the Linux agent never loads the module.
import type { LoadSystemInformation, SystemInformation } from './types.js';

let loading: Promise<SystemInformation> | null = null;

export const loadSystemInformation: LoadSystemInformation = () => {
  loading ??= import('systeminformation').then((mod) => {
    // CommonJS module: Node exposes its exports both as named exports and as `default`.
    const withDefault = mod as SystemInformation & { default?: SystemInformation };
    return withDefault.default ?? withDefault;
  });
  // A failed import (module missing) should be retried on the next call, not cached forever.
  loading.catch(() => {
    loading = null;
  });
  return loading;
};
