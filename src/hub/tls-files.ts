// The hub's HTTPS certificate and key, read from the files its settings or flags name: both or
// neither, and a file that cannot be read stops the start with its name.
import fs from 'node:fs';
import { VigilError } from '../shared/errors.js';

export function readTls(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new VigilError('invalid_settings', 'HTTPS needs both a certificate and a key (hub.tlsCertFile and hub.tlsKeyFile, or --tls-cert and --tls-key)');
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new VigilError('invalid_settings', `Cannot read the TLS ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
  };
  return { cert: read(certFile, 'certificate'), key: read(keyFile, 'key') };
}
