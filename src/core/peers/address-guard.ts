// Addresses a peer's /health URL may not point at. A machine tells the hub its health URL, and
// agents that learn their peers from the hub then request that URL every few seconds: a URL
// naming a cloud's metadata service (169.254.169.254 and friends) would turn every agent of the
// fleet into a client of its own machine's credentials endpoint. Refused:
//   - link-local addresses (169.254.0.0/16, fe80::/10), where metadata services live;
//   - the metadata services' other addresses and names (AWS's IPv6 one, Alibaba's, GCP's names);
//   - addresses that name no single machine (unspecified, multicast, broadcast).
// Loopback and private (LAN) addresses stay allowed: that is where peers are.
// The hub checks the URL an agent reports (ingest.ts); agents check what the hub lists, and again
// what a listed name resolves to when they connect (peerLookup).
import dns from 'node:dns';
import net from 'node:net';

const linkLocal = new net.BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');

const metadata = new net.BlockList();
// AWS's instance metadata over IPv6 (Nitro), Alibaba Cloud's metadata service.
metadata.addAddress('fd00:ec2::254', 'ipv6');
metadata.addAddress('100.100.100.200', 'ipv4');

const noSingleMachine = new net.BlockList();
noSingleMachine.addSubnet('0.0.0.0', 8, 'ipv4');
noSingleMachine.addSubnet('224.0.0.0', 4, 'ipv4');
noSingleMachine.addAddress('255.255.255.255', 'ipv4');
noSingleMachine.addAddress('::', 'ipv6');
noSingleMachine.addSubnet('ff00::', 8, 'ipv6');

/** Names of metadata services (GCP's; AWS's EC2-internal ones). */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

/** Why a peer may not be watched at this host (a URL's hostname, or an address), or null. */
export function forbiddenPeerHost(host: string): string | null {
  const bare = host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  const family = net.isIP(bare);
  if (family === 0) return METADATA_NAMES.has(bare) ? `${bare} is a cloud metadata service` : null;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (linkLocal.check(bare, type)) return `${bare} is a link-local address (where cloud metadata services answer)`;
  if (metadata.check(bare, type)) return `${bare} is a cloud metadata service`;
  if (noSingleMachine.check(bare, type)) return `${bare} is an unspecified, multicast or broadcast address, not a machine`;
  return null;
}

/** Why this text is not a health URL a peer may be watched at (http(s), a host allowed above), or null. */
export function forbiddenPeerUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be http:// or https://, not ${url.protocol}//`;
  if (!url.hostname) return 'names no host';
  return forbiddenPeerHost(url.hostname);
}

/**
 * A dns.lookup that refuses names resolving to a forbidden address (a name in the hub's list that
 * points at 169.254.169.254, say): for the connections to peers learned from the hub. `resolve`
 * is dns.lookup (tests give their own).
 */
export function peerLookup(resolve: typeof dns.lookup = dns.lookup): net.LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      for (const { address } of addresses) {
        const reason = forbiddenPeerHost(address);
        if (reason) return callback(lookupError('EFORBIDDEN', `${hostname} resolves to an address peers may not be watched at: ${reason}`), '');
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(lookupError('ENOTFOUND', `${hostname} has no address`), '');
      callback(null, first.address, first.family);
    });
  };
}

function lookupError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}
