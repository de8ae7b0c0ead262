// Where a broker URL points, read tolerantly from fleet text (env, argv): scheme kind, host, port, db.
// Never throws: text that is not a broker URL gives null.

export interface BrokerAddress {
  kind: 'redis' | 'amqp' | 'sentinel' | 'other';
  host: string;
  port: number | null;
  /** Redis db (0 when not given); null for other kinds. */
  db: number | null;
  vhost: string | null;
}

const PORTS: Record<BrokerAddress['kind'], number | null> = { redis: 6379, amqp: 5672, sentinel: 26379, other: null };

/** The first address of a URL or failover list (`url1;url2`). */
export function brokerAddress(text: string | null | undefined): BrokerAddress | null {
  return brokerAddresses(text)[0] ?? null;
}

/** Every address of a failover list, in order; the ones that cannot be read are left out. */
export function brokerAddresses(text: string | null | undefined): BrokerAddress[] {
  return (text ?? '').split(';').map((u) => oneAddress(u.trim())).filter((a): a is BrokerAddress => a !== null);
}

function oneAddress(first: string): BrokerAddress | null {
  if (!first) return null;
  let url: URL;
  try {
    url = new URL(first);
  } catch {
    return null;
  }
  const scheme = url.protocol.replace(/:$/, '');
  const kind: BrokerAddress['kind'] = /^rediss?$/.test(scheme) ? 'redis'
    : /^(amqps?|pyamqp|librabbitmq)$/.test(scheme) ? 'amqp' : scheme === 'sentinel' ? 'sentinel' : 'other';
  if (!url.hostname) return null;
  const path = url.pathname.replace(/^\//, '');
  const db = kind === 'redis' || kind === 'sentinel' ? (/^\d{1,5}$/.test(path) ? Number(path) : path === '' ? 0 : null) : null;
  return {
    kind,
    host: normalHost(url.hostname.replace(/^\[|\]$/g, '')),
    port: url.port ? Number(url.port) : (kind === 'amqp' && scheme === 'amqps' ? 5671 : PORTS[kind]),
    db,
    vhost: kind === 'amqp' ? (path === '' ? '/' : safeDecode(path)) : null,
  };
}

/** localhost and the v4-mapped forms name the same loopback address. */
export function normalHost(h: string): string {
  const lower = h.toLowerCase();
  if (lower === 'localhost' || lower === '::1' || lower === '::ffff:127.0.0.1') return '127.0.0.1';
  return lower.startsWith('::ffff:') ? lower.slice(7) : lower;
}

/** `host:port` (or `[v6]:port`) split; null when it is not one. */
export function splitHostPort(text: string): { host: string; port: number } | null {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(text);
  return m ? { host: normalHost(m[1]), port: Number(m[2]) } : null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
