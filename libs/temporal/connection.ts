import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { RegieConfig } from '../config/config';

/** Connection options for a Temporal server: the local dev server by default, a cluster with TLS or an API key. */
export function temporalConnectionOptions(config: RegieConfig['temporal']): { address: string; apiKey?: string; tls?: TLSConfig | boolean } {
  const { tls } = config;
  return {
    address: config.address,
    apiKey: config.apiKey,
    tls: tls
      ? {
          serverNameOverride: tls.serverName,
          serverRootCACertificate: tls.serverRootCaPath ? readFileSync(tls.serverRootCaPath) : undefined,
          clientCertPair:
            tls.clientCertPath && tls.clientKeyPath
              ? { crt: readFileSync(tls.clientCertPath), key: readFileSync(tls.clientKeyPath) }
              : undefined,
        }
      : config.apiKey
        ? true
        : undefined,
  };
}
