// The chart page's files at / (static-files.ts serves them). Reachable without the access token:
// the page must load to ask for it, and it holds no data. A module of its own so that the runtime
// can list them without loading the static file server into a plain agent.
export const PAGE_PATHS = ['/', '/index.html', '/app.js', '/app.css', '/app.js.map', '/favicon.svg', '/favicon.ico'] as const;
/** The page's script chunks (chunk-<name>-<hash>.js, loaded by app.js with import()): public too. */
export const PAGE_PREFIXES = ['/chunk-'] as const;
