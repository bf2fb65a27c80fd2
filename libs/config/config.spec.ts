import { ConfigError, loadConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://regie:secret@db.example:5432/regie',
  SMTP_URL: 'smtp://relay.example:587',
  ADMIN_TOKEN: 'a-long-enough-admin-token',
  LINK_SECRET: 'a-link-secret-of-at-least-32-characters',
};

describe('loadConfig', () => {
  it('reads a valid environment with defaults', () => {
    const config = loadConfig('test', valid);
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'regie', tls: undefined });
    expect(config.http.port).toBe(3000);
    expect(config.http.trustProxy).toBe(0);
    expect(config.access).toEqual({ sessionIdleMinutes: 30, sessionAbsoluteHours: 12, secureCookies: false, oidc: undefined });
    expect(config.referenceDataDir).toMatch(/shared[\\/]domain$/);
    expect(config.logs).toEqual({ format: 'json', level: 'info' });
    expect(config.metrics).toEqual({ host: '127.0.0.1', workerPort: 0, dispatcherPort: 0 });
  });

  it('reads the log format and level and the metrics addresses', () => {
    const config = loadConfig('test', { ...valid, LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug', METRICS_HOST: '0.0.0.0', WORKER_METRICS_PORT: '9464', DISPATCHER_METRICS_PORT: '9465' });
    expect(config.logs).toEqual({ format: 'pretty', level: 'debug' });
    expect(config.metrics).toEqual({ host: '0.0.0.0', workerPort: 9464, dispatcherPort: 9465 });
  });

  it.each([
    [{ DATABASE_URL: undefined }, 'DATABASE_URL is required but not set'],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL must use postgres: or postgresql:'],
    [{ SMTP_URL: 'not a url' }, 'SMTP_URL is not a valid URL'],
    [{ PORT: '99999' }, 'PORT must be a whole number from 1 to 65535'],
    [{ TEMPORAL_ADDRESS: 'temporal.example' }, 'TEMPORAL_ADDRESS must be host:port'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN must be at least 16 characters'],
    [{ TRUST_PROXY_HOPS: 'yes' }, 'TRUST_PROXY_HOPS must be a whole number from 0 to 10'],
    [{ SESSION_IDLE_MINUTES: '0' }, 'SESSION_IDLE_MINUTES must be a whole number from 1 to 1440'],
    [{ OIDC_ISSUER: 'https://login.gemeente.example' }, 'OIDC_CLIENT_ID must be set together with OIDC_ISSUER'],
    [{ OIDC_ISSUER: 'http://login.gemeente.example', OIDC_CLIENT_ID: 'regie', OIDC_CLIENT_SECRET: 's' }, 'OIDC_ISSUER must use https:, except for localhost'],
    [{ TEMPORAL_TLS_CERT: '/etc/cert.pem' }, 'TEMPORAL_TLS_KEY must be set together with its pair'],
    [{ MAIL_FROM: 'Regie' }, 'MAIL_FROM must be an address, e.g. Regie <regie@gemeente.example>'],
    [{ LINK_SECRET: 'too-short' }, 'LINK_SECRET must be at least 32 characters'],
    [{ PUBLIC_BASE_URL: 'http://regie.gemeente.example' }, 'PUBLIC_BASE_URL must use https: (links in mails, RFC 8058), except for localhost'],
    [{ DKIM_DOMAIN: 'gemeente.example' }, 'DKIM_SELECTOR must be set together with DKIM_DOMAIN'],
    [{ LOG_FORMAT: 'text' }, 'LOG_FORMAT must be one of json, pretty'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal'],
    [{ WORKER_METRICS_PORT: '-1' }, 'WORKER_METRICS_PORT must be a whole number from 0 to 65535'],
    [{ DISPATCHER_METRICS_PORT: '70000' }, 'DISPATCHER_METRICS_PORT must be a whole number from 0 to 65535'],
    [{ METRICS_HOST: 'http://x' }, 'METRICS_HOST must be a host name or IP address'],
  ])('stops on %j with a message naming the variable', (change, message) => {
    const load = () => loadConfig('test', { ...valid, ...change });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`Configuration error: ${message}`);
  });

  it('never echoes a value in its message', () => {
    expect(() => loadConfig('test', { ...valid, DATABASE_URL: 'mysql://user:hunter2@x/y' })).toThrow(/^(?!.*hunter2)/);
  });

  it('turns on TLS for a cluster', () => {
    const config = loadConfig('test', { ...valid, TEMPORAL_ADDRESS: 'ns.tmprl.example:7233', TEMPORAL_TLS: 'true', TEMPORAL_API_KEY: 'key' });
    expect(config.temporal.tls).toEqual({ serverName: undefined, clientCertPath: undefined, clientKeyPath: undefined, serverRootCaPath: undefined });
    expect(config.temporal.apiKey).toBe('key');
  });
});
