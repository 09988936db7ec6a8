import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './env';
import { connectionOptions, temporalConfig } from './temporal-config';

describe('temporalConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'temporal-config-'));
    writeFileSync(join(dir, 'client.pem'), 'CERT');
    writeFileSync(join(dir, 'client.key'), 'KEY');
    writeFileSync(join(dir, 'ca.pem'), 'CA');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to the local dev server, without TLS', () => {
    const config = temporalConfig({});
    expect(config).toEqual({ address: 'localhost:7233', namespace: 'default' });
    expect(connectionOptions(config)).toEqual({ address: 'localhost:7233' });
  });

  it('reads a self-hosted cluster with mTLS from file paths', () => {
    const config = temporalConfig({
      TEMPORAL_ADDRESS: 'temporal-frontend.temporal:7233',
      TEMPORAL_NAMESPACE: 'orders',
      TEMPORAL_TLS_CERT: join(dir, 'client.pem'),
      TEMPORAL_TLS_KEY: join(dir, 'client.key'),
      TEMPORAL_TLS_CA: join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(config.address).toBe('temporal-frontend.temporal:7233');
    expect(config.namespace).toBe('orders');
    expect(config.apiKey).toBeUndefined();
    expect(config.tls?.serverNameOverride).toBe('temporal.internal');
    expect(config.tls?.serverRootCACertificate?.toString()).toBe('CA');
    expect(config.tls?.clientCertPair?.crt.toString()).toBe('CERT');
    expect(config.tls?.clientCertPair?.key.toString()).toBe('KEY');
    expect(connectionOptions(config)).toEqual({ address: config.address, tls: config.tls });
  });

  it('turns TLS on for Temporal Cloud with an API key alone', () => {
    const config = temporalConfig({
      TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'orders.a1b2c',
      TEMPORAL_API_KEY: ' secret-key ',
    });
    expect(config.apiKey).toBe('secret-key');
    expect(config.tls).toEqual({ serverNameOverride: undefined, serverRootCACertificate: undefined, clientCertPair: undefined });
    expect(connectionOptions(config)).toEqual({ address: config.address, tls: config.tls, apiKey: 'secret-key' });
  });

  it('turns TLS on with TEMPORAL_TLS=true and the system roots', () => {
    expect(temporalConfig({ TEMPORAL_TLS: 'TRUE' }).tls).toBeDefined();
    expect(temporalConfig({ TEMPORAL_TLS: 'false' }).tls).toBeUndefined();
  });

  it('refuses a certificate without its key, and names an unreadable file', () => {
    expect(() => temporalConfig({ TEMPORAL_TLS_CERT: join(dir, 'client.pem') })).toThrow(
      new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both or neither'),
    );
    expect(() => temporalConfig({ TEMPORAL_TLS_CA: join(dir, 'missing.pem') })).toThrow(/TEMPORAL_TLS_CA: cannot read .*missing\.pem \(ENOENT\)/);
  });
});
