/**
 * Where Temporal is and how to reach it: the local dev server, a self-hosted
 * cluster with mTLS, or Temporal Cloud with an API key. The same options work
 * for the client's Connection and the worker's NativeConnection.
 */
import { readFileSync } from 'node:fs';
import { Env, optionalEnv, stringEnv, ConfigError } from './env';

export interface TemporalConfig {
  address: string;
  namespace: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

export function temporalConfig(env: Env = process.env): TemporalConfig {
  const address = stringEnv(env, 'TEMPORAL_ADDRESS', 'localhost:7233');
  const namespace = stringEnv(env, 'TEMPORAL_NAMESPACE', 'default');
  const certPath = optionalEnv(env, 'TEMPORAL_TLS_CERT');
  const keyPath = optionalEnv(env, 'TEMPORAL_TLS_KEY');
  const caPath = optionalEnv(env, 'TEMPORAL_TLS_CA');
  const apiKey = optionalEnv(env, 'TEMPORAL_API_KEY');
  const tlsWanted = optionalEnv(env, 'TEMPORAL_TLS')?.toLowerCase() === 'true';
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both or neither');
  }
  const config: TemporalConfig = { address, namespace };
  if (certPath || caPath || apiKey || tlsWanted) {
    config.tls = {
      serverNameOverride: optionalEnv(env, 'TEMPORAL_TLS_SERVER_NAME'),
      serverRootCACertificate: caPath ? readFile('TEMPORAL_TLS_CA', caPath) : undefined,
      clientCertPair: certPath && keyPath ? { crt: readFile('TEMPORAL_TLS_CERT', certPath), key: readFile('TEMPORAL_TLS_KEY', keyPath) } : undefined,
    };
  }
  if (apiKey) config.apiKey = apiKey;
  return config;
}

function readFile(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The connection options shared by Connection.connect and NativeConnection.connect. */
export function connectionOptions(config: TemporalConfig): { address: string; tls?: TemporalConfig['tls']; apiKey?: string } {
  return { address: config.address, ...(config.tls ? { tls: config.tls } : {}), ...(config.apiKey ? { apiKey: config.apiKey } : {}) };
}
