// Who may call the main process, and with what. Every ipcMain handler runs both checks before it
// does anything (handlers.ts):
// - the sender: a window this app created, its main frame (not an iframe), showing one of the
//   app's own pages (app://vigil/…). A page that navigated elsewhere, or a frame that is gone,
//   gets nothing.
// - the payload: the shared JSON Schemas (api.ts for the chart API, settings.ts for settings),
//   compiled once with ajv, so IPC accepts exactly what the HTTP API and the settings file accept.
import { Ajv, type ValidateFunction } from 'ajv';
import { API_ROUTES, exportParamsSchema, type ApiMethod } from '../../shared/api.js';
import type { SecretValues } from '../../shared/app-ipc.js';
import { VigilError } from '../../shared/errors.js';
import { settingsSections } from '../../shared/settings.js';
import type { InvokeEventApi } from '../electron-api.js';
import { isAppUrl } from '../windows/options.js';

/** Why a sender is refused, or null when it may call. */
export function senderRejection(event: InvokeEventApi, trustedWebContents: ReadonlySet<number>): string | null {
  if (!trustedWebContents.has(event.sender.id)) return 'not one of the app windows';
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null) return 'not the main frame';
  if (!isAppUrl(frame.url)) return `foreign page ${safeOrigin(frame.url)}`;
  return null;
}

function safeOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(unparsable URL)';
  }
}

const ajv = new Ajv({
  // The schemas carry annotations (description, examples) that strict mode would refuse.
  strict: false,
  allErrors: false,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
});

/** One parameter object, validated; a clear VigilError('invalid_argument') otherwise. */
export type Validator<T> = (value: unknown) => T;

function validatorFor<T>(name: string, schema: object): Validator<T> {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return value as T;
    const error = validate.errors?.[0];
    const where = error?.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '';
    const detail = error ? `${where ? `${where} ` : ''}${error.message ?? 'is invalid'}${error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : ''}` : 'is invalid';
    throw new VigilError('invalid_argument', `${name}: ${detail}`);
  };
}

/** The chart API's parameters, per method (the same schemas the HTTP routes use). */
export const apiParams = Object.fromEntries(
  Object.entries(API_ROUTES).map(([method, route]) => [method, validatorFor(method, route.params)]),
) as Record<ApiMethod, Validator<object>>;

export const exportParams = validatorFor<Record<string, string>>('exportCsv', exportParamsSchema);

/**
 * A settings change from the settings window: any subset of sections, each any subset of its
 * properties, each property checked against its schema (ranges, patterns, enums). The merged
 * result is validated again, whole, when the store writes it.
 */
const settingsPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    Object.entries(settingsSections).map(([section, schema]) => {
      const { required: _required, default: _default, ...partial } = schema as { required?: unknown; default?: unknown } & Record<string, unknown>;
      return [section, partial];
    }),
  ),
};

const secretString = { type: 'string', maxLength: 4096, pattern: '^[^\\r\\n\\u0000]*$' } as const;

export const settingsUpdate = validatorFor<{ patch: Record<string, Record<string, unknown>>; secrets?: SecretValues }>('updateSettings', {
  type: 'object',
  additionalProperties: false,
  required: ['patch'],
  properties: {
    patch: settingsPatchSchema,
    secrets: {
      type: 'object',
      additionalProperties: false,
      properties: { syncToken: secretString, smtpPassword: secretString, influxToken: secretString } satisfies Record<keyof SecretValues, unknown>,
    },
  },
});

/** "Choose…" takes no path from the page (the OS dialog gives it); only "back to the default". */
export const chooseDataFolderParams = validatorFor<{ useDefault?: boolean }>('chooseDataFolder', {
  type: 'object',
  additionalProperties: false,
  properties: { useDefault: { type: 'boolean' } },
});

/** Calls that take no parameters accept nothing but an empty object (or nothing at all). */
export const noParams = validatorFor<Record<string, never>>('params', { type: 'object', additionalProperties: false, properties: {} });

export const openExternalParams = validatorFor<{ url: string }>('openExternal', {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: { url: { type: 'string', minLength: 1, maxLength: 2048 } },
});

/**
 * The one place the app hands a URL to the OS: http and https only, so a crafted link can never
 * open a file, a custom protocol handler or a script.
 */
export function externalUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VigilError('invalid_argument', 'Not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new VigilError('invalid_argument', `Only http and https links open outside the app (not ${parsed.protocol})`);
  }
  if (parsed.username || parsed.password) throw new VigilError('invalid_argument', 'Links with credentials are not opened');
  return parsed.toString();
}
