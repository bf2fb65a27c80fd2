import * as path from 'node:path';

/**
 * The whole process configuration, read once from the environment and validated at start-up.
 * A missing or bad value stops the process with a message that names the variable (never its value,
 * which may be a secret).
 */
export interface RegieConfig {
  /** Which process this is; prefixes every log line. */
  processName: string;
  databaseUrl: string;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    /** TLS for a real cluster: client certificate and key files (mTLS), or an API key. */
    tls?: { serverName?: string; clientCertPath?: string; clientKeyPath?: string; serverRootCaPath?: string };
    apiKey?: string;
  };
  smtp: {
    url: string;
    from: string;
    maxConnections: number;
    /** How long a dispatcher's claim on a mail holds: a mail still unsent after it (its dispatcher died) is sent again. */
    leaseSeconds: number;
    /** DKIM signing of every outgoing mail (both List-Unsubscribe headers included) when a key is configured. */
    dkim?: { domainName: string; keySelector: string; privateKeyPath: string };
  };
  /** Signed links in mails (one-click unsubscribe, acknowledgements): the HMAC key and how long an action link holds. */
  links: { secret: string; actionLinkDays: number };
  /** `trustProxy`: how many reverse proxies in front of the API set X-Forwarded-For (0: none; the client's own address counts). */
  http: { port: number; host: string; publicBaseUrl: string; trustProxy: number };
  referenceDataDir: string;
  rulebookDir: string;
  /** The regional grouping whose regions run steps 1 and 2 (default: the 40 COROP regions). */
  regionGrouping: string;
  /** The rulebook version an onboarding follows unless it names another. */
  defaultRulebookId: string;
  /** The operator's bootstrap credential (`Authorization: Bearer <ADMIN_TOKEN>`): every operator action. */
  adminToken: string;
  /** Sign-in (libs/access): session timeouts, and OpenID Connect for organisations with their own identity provider. */
  access: {
    sessionIdleMinutes: number;
    sessionAbsoluteHours: number;
    /** Secure cookies: true when PUBLIC_BASE_URL is https. */
    secureCookies: boolean;
    oidc?: { issuer: string; clientId: string; clientSecret: string; emailClaim: string };
  };
  /** Logs to stdout: one JSON object a line (`json`, the default), or one readable line for a person (`pretty`). */
  logs: { format: LogFormat; level: LogLevel };
  /**
   * Where the worker and the dispatcher serve their Prometheus `/metrics` (the API serves its own on its HTTP
   * port). Port 0 picks a free port and logs it, so several workers and dispatchers on one machine never collide.
   */
  metrics: { host: string; workerPort: number; dispatcherPort: number };
}

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
/** pino's levels, from the most to the least said. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Configuration error: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const repoRoot = path.resolve(__dirname, '..', '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '');

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigError(name, 'is required but not set');
  return value.trim();
}

function optional(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

function url(env: Env, name: string, protocols: string[], fallback?: string): string {
  const value = fallback === undefined ? required(env, name) : optional(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `is not a valid URL (expected ${protocols.join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, not ${parsed.protocol}`);
  }
  return value;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name, String(fallback));
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

function hostPort(env: Env, name: string, fallback: string): string {
  const value = optional(env, name, fallback);
  if (!/^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$/.test(value)) throw new ConfigError(name, 'must be host:port');
  return value;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = optional(env, name, fallback);
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function pattern(env: Env, name: string, fallback: string, re: RegExp, what: string): string {
  const value = optional(env, name, fallback);
  if (!re.test(value)) throw new ConfigError(name, `must be ${what}`);
  return value;
}

/** Reads and validates the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(processName: string, env: Env = process.env): RegieConfig {
  const tlsEnabled = optional(env, 'TEMPORAL_TLS', 'false');
  if (!['true', 'false'].includes(tlsEnabled)) throw new ConfigError('TEMPORAL_TLS', 'must be true or false');
  const certPath = env.TEMPORAL_TLS_CERT?.trim() || undefined;
  const keyPath = env.TEMPORAL_TLS_KEY?.trim() || undefined;
  if (!!certPath !== !!keyPath) {
    throw new ConfigError(certPath ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT', 'must be set together with its pair');
  }
  const port = int(env, 'PORT', 3000, 1, 65535);
  const host = optional(env, 'HOST', '127.0.0.1');
  const adminToken = required(env, 'ADMIN_TOKEN');
  const linkSecret = required(env, 'LINK_SECRET');
  if (linkSecret.length < 32) throw new ConfigError('LINK_SECRET', 'must be at least 32 characters');
  const dkimVars = ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY_FILE'] as const;
  const dkimSet = dkimVars.filter((name) => env[name]?.trim());
  if (dkimSet.length && dkimSet.length < dkimVars.length) {
    throw new ConfigError(dkimVars.find((name) => !env[name]?.trim())!, `must be set together with ${dkimSet.join(', ')}`);
  }
  const publicBaseUrl = url(env, 'PUBLIC_BASE_URL', ['http:', 'https:'], `http://localhost:${port}`);
  // RFC 8058: the one-click unsubscribe URL must be HTTPS; plain HTTP only for a machine's own use.
  if (new URL(publicBaseUrl).protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(new URL(publicBaseUrl).hostname)) {
    throw new ConfigError('PUBLIC_BASE_URL', 'must use https: (links in mails, RFC 8058), except for localhost');
  }
  if (adminToken.length < 16) throw new ConfigError('ADMIN_TOKEN', 'must be at least 16 characters');
  return {
    processName,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    temporal: {
      address: hostPort(env, 'TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      namespace: optional(env, 'TEMPORAL_NAMESPACE', 'default'),
      taskQueue: optional(env, 'TEMPORAL_TASK_QUEUE', 'regie'),
      tls:
        tlsEnabled === 'true' || certPath
          ? {
              serverName: env.TEMPORAL_TLS_SERVER_NAME?.trim() || undefined,
              clientCertPath: certPath,
              clientKeyPath: keyPath,
              serverRootCaPath: env.TEMPORAL_TLS_CA?.trim() || undefined,
            }
          : undefined,
      apiKey: env.TEMPORAL_API_KEY?.trim() || undefined,
    },
    smtp: {
      url: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
      // The sender is also the calendar invites' ORGANIZER: it must hold an address.
      from: pattern(env, 'MAIL_FROM', 'Regie <regie@localhost>', /^(?:[^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, 'an address, e.g. Regie <regie@gemeente.example>'),
      maxConnections: int(env, 'SMTP_MAX_CONNECTIONS', 5, 1, 100),
      leaseSeconds: int(env, 'MAIL_LEASE_SECONDS', 300, 5, 3600),
      dkim: dkimSet.length
        ? {
            domainName: pattern(env, 'DKIM_DOMAIN', '', /^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'a domain name'),
            keySelector: pattern(env, 'DKIM_SELECTOR', '', /^[A-Za-z0-9._-]+$/, 'a DKIM selector'),
            privateKeyPath: path.resolve(required(env, 'DKIM_PRIVATE_KEY_FILE')),
          }
        : undefined,
    },
    links: { secret: linkSecret, actionLinkDays: int(env, 'ACTION_LINK_DAYS', 30, 1, 365) },
    http: {
      port,
      host,
      publicBaseUrl: publicBaseUrl.replace(/\/+$/, ''),
      trustProxy: int(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
    },
    referenceDataDir: path.resolve(optional(env, 'REFERENCE_DATA_DIR', path.join(repoRoot, '..', 'shared', 'domain'))),
    rulebookDir: path.resolve(optional(env, 'RULEBOOK_DIR', path.join(repoRoot, 'libs', 'rulebook', 'versions'))),
    defaultRulebookId: optional(env, 'DEFAULT_RULEBOOK_ID', 'wvrv-2025-07-01.3'),
    regionGrouping: pattern(env, 'REGION_GROUPING', 'corop', /^[a-z][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes'),
    adminToken,
    access: {
      sessionIdleMinutes: int(env, 'SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
      sessionAbsoluteHours: int(env, 'SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 7),
      secureCookies: new URL(publicBaseUrl).protocol === 'https:',
      oidc: oidcConfig(env),
    },
    logs: { format: oneOf(env, 'LOG_FORMAT', 'json', LOG_FORMATS), level: oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS) },
    metrics: {
      host: pattern(env, 'METRICS_HOST', '127.0.0.1', /^[A-Za-z0-9.\-:]{1,253}$/, 'a host name or IP address (127.0.0.1 for this machine only, 0.0.0.0 for every interface)'),
      workerPort: int(env, 'WORKER_METRICS_PORT', 0, 0, 65535),
      dispatcherPort: int(env, 'DISPATCHER_METRICS_PORT', 0, 0, 65535),
    },
  };
}

/** OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together, or none; OIDC_EMAIL_CLAIM names the claim with the address. */
function oidcConfig(env: Env): RegieConfig['access']['oidc'] {
  const vars = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
  const set = vars.filter((name) => env[name]?.trim());
  if (!set.length) return undefined;
  if (set.length < vars.length) throw new ConfigError(vars.find((name) => !env[name]?.trim())!, `must be set together with ${set.join(', ')}`);
  const issuer = url(env, 'OIDC_ISSUER', ['https:', 'http:']);
  if (new URL(issuer).protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(new URL(issuer).hostname)) {
    throw new ConfigError('OIDC_ISSUER', 'must use https:, except for localhost');
  }
  return {
    issuer,
    clientId: required(env, 'OIDC_CLIENT_ID'),
    clientSecret: required(env, 'OIDC_CLIENT_SECRET'),
    emailClaim: pattern(env, 'OIDC_EMAIL_CLAIM', 'email', /^[A-Za-z0-9_:.\/-]{1,100}$/, 'a claim name such as email'),
  };
}
