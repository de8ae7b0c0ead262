// Pure: is a silent worker on this broker, on another one, or on none? Only positive evidence counts:
// its TCP connections matched against the broker's client list, the broker URL its env or argv names.
import { brokerAddress, brokerAddresses, normalHost, splitHostPort, type BrokerAddress } from '../../util/broker-address.js';
import type { ClientConn, OurBroker } from './evidence.js';
import type { ContainerRecord, ProcessRecord } from '../types.js';

export type { BrokerMatch } from '../types.js';
import type { BrokerMatch } from '../types.js';

export interface MatchResult {
  match: BrokerMatch;
  /** Where it is connected or pointed, as seen (password masked), or null. */
  broker: string | null;
  /** One line of evidence, e.g. "connected to db 1 of this Redis (127.0.0.1:6399)". */
  evidence: string | null;
}

const UNKNOWN: MatchResult = { match: 'unknown', broker: null, evidence: null };

export function matchBroker(
  p: ProcessRecord | null,
  c: ContainerRecord | null,
  ours: OurBroker,
  clients: ClientConn[] | null,
): MatchResult {
  const url = p?.broker_url ?? c?.broker_url ?? null;
  const named = brokerAddress(url);
  const fromConnections = p ? byConnections(p, ours, clients, named, url) : null;
  return fromConnections ?? byUrl(named, url, ours) ?? UNKNOWN;
}

function byConnections(p: ProcessRecord, ours: OurBroker, clients: ClientConn[] | null, named: BrokerAddress | null, url: string | null): MatchResult | null {
  if (!p.connections) return null;
  const here = ours.host !== null && ours.port !== null ? `${ours.host}:${ours.port}` : null;
  const isOurs = (remote: string) => {
    const r = splitHostPort(remote);
    return r !== null && ours.port !== null && r.port === ours.port && r.host === normalHost(ours.host ?? '');
  };
  const established = p.connections.filter((x) => stateOf(x.state) === 'established');
  const toUs = established.filter((x) => isOurs(x.remote));
  if (toUs.length) {
    // The broker lists each client under the address the worker sees as its local end. A socket to
    // our address that the broker does not list is another loopback: a container's, another namespace's.
    const seen = (clients ?? []).filter((cl) => toUs.some((x) => sameAddr(x.local, cl.addr)));
    if (!seen.length) {
      return { match: 'unknown', broker: null, evidence: `connected to ${toUs[0].remote}, but this broker ${clients ? 'does not list that client (another network namespace?)' : 'cannot list its clients'}` };
    }
    const db = brokerDb(seen, named?.db ?? null);
    if (db === 'several') {
      const dbs = [...new Set(seen.map((cl) => cl.db))].sort((a, b) => (a ?? 0) - (b ?? 0)).join(' and ');
      return { match: 'unknown', broker: null, evidence: `connected to dbs ${dbs} of this Redis (${here}): a broker and a result backend, and which one is its broker cannot be told` };
    }
    if (ours.kind === 'redis' && db !== null && db !== ours.db) {
      return { match: 'other', broker: `${here}/${db}`, evidence: `connected to db ${db} of this Redis (${here})` };
    }
    const from = seen.find((cl) => cl.db === db && cl.subscriptions > 0)?.addr ?? toUs[0].local;
    return { match: 'same', broker: ours.display, evidence: `connected to this broker from ${from}${db !== null ? ` (db ${db})` : ''}` };
  }
  // Any URL of a failover list may be the one it is on; a host name may resolve to the address the
  // socket shows, and then the port must match.
  const listed = brokerAddresses(url);
  const hit = (a: BrokerAddress) => established.find((x) => {
    const r = splitHostPort(x.remote);
    return a.port !== null && r !== null && r.port === a.port && (r.host === a.host || !isIpLiteral(a.host));
  });
  const on = listed.find((a) => hit(a) !== undefined);
  if (on && sameBroker(on, ours) !== true) {
    const evidence = `connected to ${on.host}:${on.port}, the broker its ${p.broker_from ?? 'settings'} names${on.db !== null ? ` (db ${on.db})` : ''}`;
    // Another name may still be this broker: only a surely different one is foreign.
    return sameBroker(on, ours) === false ? { match: 'other', broker: url, evidence } : { match: 'unknown', broker: url, evidence: `${evidence}; whether that is this broker under another name cannot be told` };
  }
  const toTarget = on !== undefined;
  const trying = p.connections.find((x) => stateOf(x.state) === 'syn-sent');
  // Through Sentinel it talks to whichever master the sentinels name, an address no URL holds.
  if (named?.kind === 'sentinel' && !toTarget && established.length) {
    const list = established.map((x) => x.remote).join(', ');
    return { match: 'unknown', broker: url, evidence: `its broker is found through Sentinel (${url}); connected to ${list}: whether one of them is this broker cannot be told` };
  }
  if (named && !toTarget) {
    const how = trying ? `still trying to connect to ${trying.remote}` : 'no connection to it is open';
    return { match: 'none', broker: url, evidence: `its broker is ${url}, but ${how}` };
  }
  if (!established.length) {
    return { match: 'none', broker: trying?.remote ?? null, evidence: trying ? `still trying to connect to ${trying.remote}` : 'it has no TCP connection open' };
  }
  // Connected elsewhere, and nothing names its broker. Our port at another address may be us reached
  // another way (a container through its gateway): that is unknown. Only other ports say "another".
  const list = established.map((x) => x.remote).join(', ');
  const ourPort = established.some((x) => splitHostPort(x.remote)?.port === ours.port);
  if (ourPort) return { match: 'unknown', broker: null, evidence: `connected to ${list}: this broker at another address, or another server` };
  return { match: 'other', broker: established[0].remote, evidence: `connected to ${list}, not to this broker` };
}

/**
 * The db of its broker connection. A worker may also hold a result backend on another db of the same
 * Redis: then its mailbox's listening connection says which is the broker, else the db its URL names.
 */
function brokerDb(seen: ClientConn[], namedDb: number | null): number | null | 'several' {
  const dbs = new Set(seen.map((cl) => cl.db).filter((d): d is number => d !== null));
  if (dbs.size <= 1) return [...dbs][0] ?? namedDb;
  const listening = new Set(seen.filter((cl) => cl.subscriptions > 0 && cl.db !== null).map((cl) => cl.db));
  if (listening.size === 1) return [...listening][0];
  return namedDb !== null && dbs.has(namedDb) ? namedDb : 'several';
}

function byUrl(named: BrokerAddress | null, url: string | null, ours: OurBroker): MatchResult | null {
  if (!named || !url) return null;
  const same = sameBroker(named, ours);
  if (same === true) return { match: 'same', broker: url, evidence: `its settings name this broker (${url})` };
  if (same === false) return { match: 'other', broker: url, evidence: `its settings name another broker: ${url}` };
  return { match: 'unknown', broker: url, evidence: `its settings name ${url}; whether that is this broker under another name cannot be told` };
}

/** true: the same broker; false: surely another one; null: cannot tell (another host name, maybe an alias). */
export function sameBroker(a: BrokerAddress, ours: OurBroker): boolean | null {
  const kind = ours.kind === 'amqp' ? 'amqp' : 'redis';
  const aKind = a.kind === 'sentinel' ? 'redis' : a.kind;
  if (aKind !== kind) return false;
  // Another db (or vhost) is another broker whatever the host is called.
  if (kind === 'redis' && a.db !== null && a.db !== ours.db) return false;
  if (kind === 'amqp' && a.vhost !== null && ours.vhost !== null && a.vhost !== ours.vhost) return false;
  if (a.kind === 'sentinel' || ours.kind === 'sentinel') return null;
  const sameHost = ours.host !== null && a.host === normalHost(ours.host);
  if (sameHost) return a.port === ours.port;
  return null;
}

function sameAddr(a: string, b: string): boolean {
  const x = splitHostPort(a);
  const y = splitHostPort(b);
  return x !== null && y !== null && x.host === y.host && x.port === y.port;
}

function isIpLiteral(h: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(':');
}

/** ESTABLISHED / established, SYN_SENT / syn-sent: one spelling. */
function stateOf(s: string): string {
  return s.toLowerCase().replace(/_/g, '-');
}
