// Broker URLs as kombu accepts them (Redis, Redis over TLS, Sentinel, AMQP, failover lists),
// parsed without trusting them.
import { UsageError } from '../../errors.js';

export type Transport = 'redis' | 'sentinel' | 'amqp';

/** kombu's ssl_* URL options for rediss:// (and amqps://). */
export interface TlsOptions {
  certReqs: 'none' | 'optional' | 'required';
  caCerts: string | null;
  certFile: string | null;
  keyFile: string | null;
}

export interface BrokerTarget {
  transport: Transport;
  /** tcp (redis://, rediss://, sentinel://, amqp://) or a unix socket path. */
  kind: 'tcp' | 'unix';
  host: string;
  port: number;
  path: string | null;
  tls: boolean;
  tlsOptions: TlsOptions | null;
  username: string | null;
  password: string | null;
  /** Redis db number; 0 for AMQP. */
  db: number;
  /** AMQP virtual host ('/' by default); null for Redis. */
  vhost: string | null;
  /** kombu's global_keyprefix transport option, from `?global_keyprefix=`. */
  keyPrefix: string;
  /** Sentinel: every sentinel in the list, in order; the master comes from masterName. */
  sentinels: { host: string; port: number }[];
  masterName: string | null;
  /** Transport options from the URL query, --broker-transport-option and the config file. */
  transportOptions: Record<string, string>;
  /** A failover list (`redis://a;redis://b`): every URL in it, this one first. Empty for one URL. */
  alternates: BrokerTarget[];
  /** The URL with the password masked: the only form ever printed. */
  display: string;
}

const REDIS_SCHEMES = ['redis:', 'rediss:', 'redis+socket:', 'unix:', 'socket:'];
const AMQP_SCHEMES = ['amqp:', 'amqps:', 'pyamqp:', 'librabbitmq:'];
const EXPECTED = 'redis://[:password@]host[:port][/db], rediss://, sentinel://host:26379, amqp://user:pass@host//';

export function parseBrokerUrl(text: string, transportOptions: Record<string, string> = {}): BrokerTarget {
  const parts = text.split(';').map((s) => s.trim()).filter((s) => s !== '');
  if (!parts.length) throw new UsageError(`not a broker URL: ${JSON.stringify(maskLoose(text))} (expected ${EXPECTED})`);
  if (parts.every((p) => p.startsWith('sentinel://'))) return sentinelTarget(parts, transportOptions, text);
  const targets = parts.map((p) => one(p, transportOptions));
  if (targets.length === 1) return targets[0];
  const kinds = new Set(targets.map((t) => t.transport));
  if (kinds.size > 1) throw new UsageError('a failover list mixes broker kinds; give URLs of one kind');
  return { ...targets[0], alternates: targets, display: targets.map((t) => t.display).join(';') };
}

function parse(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new UsageError(`not a broker URL: ${JSON.stringify(maskLoose(text))} (expected ${EXPECTED})`);
  }
}

function one(text: string, options: Record<string, string>): BrokerTarget {
  const url = parse(text);
  if (AMQP_SCHEMES.includes(url.protocol)) return amqpTarget(url, options);
  if (!REDIS_SCHEMES.includes(url.protocol)) {
    throw new UsageError(`unsupported broker scheme ${JSON.stringify(url.protocol)}: fleetdoc reads Redis (redis://, rediss://, redis+socket://, unix://), Sentinel (sentinel://) and RabbitMQ (amqp://, amqps://) brokers`);
  }
  const unix = url.protocol !== 'redis:' && url.protocol !== 'rediss:';
  const q = url.searchParams;
  const dbText = unix ? (q.get('virtual_host') ?? q.get('db') ?? '0') : (url.pathname.replace(/^\//, '') || q.get('db') || '0');
  if (!/^\d{1,5}$/.test(dbText)) throw new UsageError(`broker URL has a bad db number ${JSON.stringify(dbText)}`);
  if (!unix && !url.hostname) throw new UsageError('broker URL has no host');
  const path = unix ? decodeURIComponent(url.pathname) : null;
  if (unix && !path) throw new UsageError('socket broker URL has no path');
  const tls = url.protocol === 'rediss:';
  const opts = { ...queryOptions(q), ...options };
  return {
    ...base(url, opts),
    transport: 'redis',
    kind: unix ? 'unix' : 'tcp',
    host: unix ? '' : hostOf(url),
    port: url.port ? Number(url.port) : 6379,
    path,
    tls,
    tlsOptions: tls ? tlsOptions(opts) : null,
    db: Number(dbText),
    keyPrefix: opts.global_keyprefix ?? '',
  };
}

function amqpTarget(url: URL, options: Record<string, string>): BrokerTarget {
  if (!url.hostname) throw new UsageError('broker URL has no host');
  const tls = url.protocol === 'amqps:';
  const opts = { ...queryOptions(url.searchParams), ...options };
  // kombu: the path after the first slash is the vhost; empty means '/', and `//` is '/'.
  const raw = url.pathname.startsWith('/') ? url.pathname.slice(1) : url.pathname;
  const vhost = raw === '' ? '/' : decodeURIComponent(raw);
  const t = base(url, opts);
  return {
    ...t,
    transport: 'amqp',
    kind: 'tcp',
    host: hostOf(url),
    port: url.port ? Number(url.port) : tls ? 5671 : 5672,
    path: null,
    tls,
    tlsOptions: tls ? tlsOptions(opts) : null,
    username: t.username ?? 'guest',
    password: t.password ?? (t.username === null ? 'guest' : null),
    db: 0,
    vhost,
    keyPrefix: '',
  };
}

function sentinelTarget(parts: string[], options: Record<string, string>, text: string): BrokerTarget {
  const urls = parts.map(parse);
  const sentinels = urls.map((u) => {
    if (!u.hostname) throw new UsageError('sentinel URL has no host');
    return { host: hostOf(u), port: u.port ? Number(u.port) : 26379 };
  });
  const withPath = urls.find((u) => u.pathname.replace(/^\//, '') !== '');
  const dbText = withPath ? withPath.pathname.replace(/^\//, '') : '0';
  if (!/^\d{1,5}$/.test(dbText)) throw new UsageError(`broker URL has a bad db number ${JSON.stringify(dbText)}`);
  const opts = { ...Object.assign({}, ...urls.map((u) => queryOptions(u.searchParams))), ...options } as Record<string, string>;
  const first = base(urls[0], opts);
  return {
    ...first,
    transport: 'sentinel',
    kind: 'tcp',
    host: sentinels[0].host,
    port: sentinels[0].port,
    path: null,
    tls: false,
    tlsOptions: null,
    db: Number(dbText),
    keyPrefix: opts.global_keyprefix ?? '',
    sentinels,
    masterName: opts.master_name ?? null,
    display: parts.map((p) => maskUrl(parse(p))).join(';') || maskLoose(text),
  };
}

function base(url: URL, opts: Record<string, string>): BrokerTarget {
  return {
    transport: 'redis', kind: 'tcp', host: '', port: 0, path: null, tls: false, tlsOptions: null,
    username: url.username ? decodeURIComponent(url.username) : null,
    password: url.password ? decodeURIComponent(url.password) : null,
    db: 0, vhost: null, keyPrefix: '', sentinels: [], masterName: null,
    transportOptions: opts, alternates: [], display: maskUrl(url),
  };
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function queryOptions(q: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of q) out[k] = v;
  return out;
}

/** kombu reads ssl_cert_reqs as CERT_NONE / none (and the other two), and the file paths as given. */
function tlsOptions(opts: Record<string, string>): TlsOptions {
  const reqs = (opts.ssl_cert_reqs ?? 'required').toLowerCase().replace(/^cert_/, '');
  if (reqs !== 'none' && reqs !== 'optional' && reqs !== 'required') {
    throw new UsageError(`ssl_cert_reqs ${JSON.stringify(opts.ssl_cert_reqs)} must be CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED`);
  }
  return { certReqs: reqs, caCerts: opts.ssl_ca_certs ?? null, certFile: opts.ssl_certfile ?? null, keyFile: opts.ssl_keyfile ?? null };
}

function maskUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '****';
  return copy.href;
}

/** Mask anything password-like in text that did not even parse as a URL. */
export function maskLoose(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^@/]*@/g, '$1****@');
}
