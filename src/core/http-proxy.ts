// The proxy an outgoing request goes through, from the environment as curl, Go and Python read it:
// HTTPS_PROXY for https:// URLs, HTTP_PROXY for http:// URLs, ALL_PROXY for either, NO_PROXY for
// the hosts that bypass it (lowercase names win over uppercase, as in curl). Loaded by
// http-client only when one of those variables is set, so an agent without a proxy never loads
// these modules.
//
// proxy-from-env does the matching (NO_PROXY with `*`, `.domain`, `*.domain`, `host:port`);
// http-proxy-agent sends http:// requests to the proxy as absolute URIs, and https-proxy-agent
// tunnels https:// ones with CONNECT, so TLS to the target (and its certificate check, with a
// hub's own CA) stays end to end. Node's built-in equivalent (http.Agent's `proxyEnv`) exists only
// from Node 22.21 and 24.5 and is still marked "active development"; package.json allows any 22.
import type http from 'node:http';
import tls from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { VigilError } from '../shared/errors.js';

export interface ProxyRoute {
  agent: http.Agent;
  /** The proxy's URL (with any credentials: redact() it before showing it). */
  proxy: URL;
  /** TLS options the request needs on top of its own (see tunnelledIdentity). */
  tls?: tls.ConnectionOptions;
}

/** One keep-alive agent per proxy and scheme, like http-client's direct agents. */
const agents = new Map<string, http.Agent>();

/**
 * The agent that sends a request for `url` through the environment's proxy, or null when it goes
 * direct (no variable for its scheme, or NO_PROXY names its host). Throws a VigilError when the
 * variable is not a usable proxy URL; the message never shows the variable's credentials.
 */
export function proxyRoute(url: URL): ProxyRoute | null {
  const value = getProxyForUrl(url.href);
  if (!value) return null;
  const variable = `${url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'} (or ALL_PROXY)`;
  let proxy: URL;
  try {
    proxy = new URL(value);
  } catch {
    throw new VigilError('invalid_argument', `${variable} is not a URL (expected http://[user:password@]host:port)`);
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new VigilError('invalid_argument', `${variable} uses ${proxy.protocol}, which Vigil does not support (http:// or https:// proxies only)`);
  }
  const key = `${url.protocol} ${proxy.href}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, maxSockets: 4 };
    agent = url.protocol === 'https:' ? new HttpsProxyAgent(proxy, options) : new HttpProxyAgent(proxy, options);
    agents.set(key, agent);
  }
  return { agent, proxy, ...(url.protocol === 'https:' ? { tls: tunnelledIdentity(url) } : {}) };
}

/**
 * https-proxy-agent starts TLS over the tunnel without the target's host, and sets no SNI name for
 * an IP address (SNI forbids them), so Node checks the certificate against "localhost": a hub at
 * https://192.0.2.10 with a certificate for that address would be refused. The check is made
 * against the URL's own host instead (same rules: tls.checkServerIdentity).
 */
function tunnelledIdentity(url: URL): tls.ConnectionOptions {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { checkServerIdentity: (_host, cert) => tls.checkServerIdentity(host, cert) };
}

