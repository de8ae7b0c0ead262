// Broker URLs as kombu accepts them for Redis, parsed without trusting them.
import { UsageError } from '../../errors.js';

export interface BrokerTarget {
  /** tcp (redis://, rediss://) or a unix socket path. */
  kind: 'tcp' | 'unix';
  host: string;
  port: number;
  path: string | null;
  tls: boolean;
  username: string | null;
  password: string | null;
  db: number;
  /** kombu's global_keyprefix transport option, from `?global_keyprefix=`. */
  keyPrefix: string;
  /** The URL with the password masked: the only form ever printed. */
  display: string;
}

const SCHEMES = ['redis:', 'rediss:', 'redis+socket:', 'unix:', 'socket:'];

export function parseBrokerUrl(text: string): BrokerTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`not a broker URL: ${JSON.stringify(maskLoose(text))} (expected redis://[:password@]host[:port][/db])`);
  }
  if (!SCHEMES.includes(url.protocol)) {
    throw new UsageError(`unsupported broker scheme ${JSON.stringify(url.protocol)}: fleetdoc reads Redis brokers (redis://, rediss://, redis+socket://, unix://)`);
  }
  const unix = url.protocol !== 'redis:' && url.protocol !== 'rediss:';
  const q = url.searchParams;
  const dbText = unix
    ? (q.get('virtual_host') ?? q.get('db') ?? '0')
    : (url.pathname.replace(/^\//, '') || q.get('db') || '0');
  if (!/^\d{1,5}$/.test(dbText)) throw new UsageError(`broker URL has a bad db number ${JSON.stringify(dbText)}`);
  const port = url.port ? Number(url.port) : 6379;
  if (!unix && !url.hostname) throw new UsageError('broker URL has no host');
  const path = unix ? decodeURIComponent(url.pathname) : null;
  if (unix && !path) throw new UsageError('socket broker URL has no path');
  const password = url.password ? decodeURIComponent(url.password) : null;
  const username = url.username ? decodeURIComponent(url.username) : null;
  return {
    kind: unix ? 'unix' : 'tcp',
    host: unix ? '' : url.hostname.replace(/^\[|\]$/g, ''),
    port,
    path,
    tls: url.protocol === 'rediss:',
    username,
    password,
    db: Number(dbText),
    keyPrefix: q.get('global_keyprefix') ?? '',
    display: maskUrl(url),
  };
}

function maskUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '****';
  return copy.href;
}

/** Mask anything password-like in text that did not even parse as a URL. */
export function maskLoose(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1****@');
}
