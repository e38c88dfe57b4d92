// One error type across the product: a stable code for programs, a message for people, an exit
// code for the CLI and an HTTP status for the API (`{ "error": { "code", "message" } }`).

export type ErrorCode =
  | 'invalid_date'
  | 'invalid_range'
  | 'invalid_argument'
  | 'invalid_settings'
  | 'future_date'
  | 'not_found'
  | 'data_dir_unwritable'
  | 'already_running'
  | 'unauthorized'
  | 'host_not_allowed'
  | 'method_not_allowed'
  | 'conflict'
  | 'io_error'
  | 'internal';

const EXIT_CODES: Record<ErrorCode, number> = {
  invalid_date: 2,
  invalid_range: 2,
  invalid_argument: 2,
  invalid_settings: 78, // EX_CONFIG
  future_date: 2,
  not_found: 3,
  data_dir_unwritable: 73, // EX_CANTCREAT
  already_running: 75, // EX_TEMPFAIL
  unauthorized: 77, // EX_NOPERM
  host_not_allowed: 77,
  method_not_allowed: 2,
  conflict: 2,
  io_error: 74, // EX_IOERR
  internal: 70, // EX_SOFTWARE
};

const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_date: 400,
  invalid_range: 400,
  invalid_argument: 400,
  invalid_settings: 400,
  future_date: 400,
  not_found: 404,
  data_dir_unwritable: 500,
  already_running: 409,
  unauthorized: 401,
  host_not_allowed: 403,
  method_not_allowed: 405,
  conflict: 409,
  io_error: 500,
  internal: 500,
};

export class VigilError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isVigilError(error: unknown): error is VigilError {
  return error instanceof VigilError;
}
