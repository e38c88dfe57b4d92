// Peers are never watched at link-local or cloud metadata addresses: not when the hub lists such
// a health URL (an older or a hostile hub), not when a listed name resolves to one.
import type dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { forbiddenPeerHost, forbiddenPeerUrl, peerLookup } from '../../../src/core/peers/address-guard.js';
import { checkPeerHealth } from '../../../src/core/peers/health-check.js';
import { fetchHubPeers, type RefusedPeer } from '../../../src/core/peers/hub-peers.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('addresses a peer may not be watched at', () => {
  it.each([
    ['169.254.169.254', /link-local/],
    ['169.254.0.1', /link-local/],
    ['fe80::1', /link-local/],
    ['[fe80::abcd]', /link-local/],
    ['::ffff:a9fe:a9fe', /link-local/],
    ['fd00:ec2::254', /metadata/],
    ['100.100.100.200', /metadata/],
    ['metadata.google.internal', /metadata/],
    ['METADATA.GOOGLE.INTERNAL.', /metadata/],
    ['0.0.0.0', /unspecified/],
    ['[::]', /unspecified/],
    ['224.0.0.251', /multicast/],
    ['255.255.255.255', /broadcast/],
  ])('%s is refused', (host, reason) => {
    expect(forbiddenPeerHost(host)).toMatch(reason);
  });

  it.each(['127.0.0.1', '::1', '10.0.0.5', '192.168.1.20', '172.16.0.9', '100.64.0.1', '2001:db8::5', 'fd12::5', 'web-1.example.org', 'localhost'])('%s is allowed', (host) => {
    expect(forbiddenPeerHost(host)).toBeNull();
  });

  it('reads a URL as the WHATWG parser does (hex, decimal and octal IPv4 spellings, IPv4 inside IPv6)', () => {
    for (const url of ['http://0xA9FEA9FE/', 'http://2852039166/', 'http://0251.0376.0251.0376/', 'http://[::ffff:169.254.169.254]:7470/health']) {
      expect(forbiddenPeerUrl(url), url).toMatch(/169\.254\.169\.254|a9fe:a9fe/);
    }
    expect(forbiddenPeerUrl('ftp://10.0.0.5/')).toMatch(/http/);
    expect(forbiddenPeerUrl('not a url')).toMatch(/not a URL/);
    expect(forbiddenPeerUrl('https://10.0.0.5:7470/health')).toBeNull();
  });
});

describe('peers learned from the hub', () => {
  it('a hub that lists link-local or metadata health URLs: those machines are refused (and said so), the others kept', async () => {
    const listed = [
      ['web-1', 'http://10.0.0.7:7470/health'],
      ['aws', 'http://169.254.169.254/latest/meta-data/'],
      ['gcp', 'http://metadata.google.internal/computeMetadata/v1/'],
      ['v6', 'http://[fe80::1]:7470/health'],
      ['hex', 'http://0xA9FEA9FE/'],
      ['db-1', 'http://127.0.0.1:7470/health'],
    ];
    const url = await serve((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ time: Date.now(), machines: listed.map(([name, healthUrl], i) => ({ id: `m${i}`, name, agentId: null, healthUrl, revokedAt: null })) }));
    });
    const refused: RefusedPeer[] = [];
    const peers = await fetchHubPeers({ url, token: 'machine-token-0123456789', ca: null }, 'me', { refused: (peer) => refused.push(peer) });
    expect(peers.map((p) => [p.name, p.healthUrl])).toEqual([
      ['web-1', 'http://10.0.0.7:7470/health'],
      ['db-1', 'http://127.0.0.1:7470/health'],
    ]);
    expect(refused.map((p) => p.name)).toEqual(['aws', 'gcp', 'v6', 'hex']);
    expect(refused[0]!.reason).toMatch(/169\.254\.169\.254 is a link-local address/);
  });

  it('a listed name that resolves to a metadata address is not connected to; one that resolves to a LAN or loopback address is', async () => {
    const hosts: string[] = [];
    const peer = await serve((request, response) => {
      hosts.push(request.headers.host ?? '');
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ id: 'peer-id', name: 'peer', state: 'running', bootTime: 1, uptimeSeconds: 5, sleepUntil: null }));
    });
    const port = new URL(peer).port;
    const fakeDns = ((hostname: string, _options: dns.LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => {
      const address = { 'evil.example': '169.254.169.254', 'mapped.example': '::ffff:169.254.169.254', 'peer.example': '127.0.0.1' }[hostname];
      if (!address) return callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
      callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
    }) as unknown as typeof dns.lookup;
    const lookup = peerLookup(fakeDns);

    for (const name of ['evil.example', 'mapped.example']) {
      const result = await checkPeerHealth(`http://${name}:${port}/health`, { timeoutMs: 5000, lookup });
      expect(result.ok, name).toBe(false);
      expect(!result.ok && result.message, name).toMatch(new RegExp(`^${name.replace('.', '\\.')} resolves to an address peers may not be watched at: .*link-local`));
    }
    expect(hosts).toEqual([]);

    const ok = await checkPeerHealth(`http://peer.example:${port}/health`, { timeoutMs: 5000, lookup });
    expect(ok.ok && ok.health.id).toBe('peer-id');
    expect(hosts).toEqual([`peer.example:${port}`]);
  });
});
