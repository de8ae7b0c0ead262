// Which broker a worker process was told to use: -b/--broker on its command
// line wins (Celery copies it into CELERY_BROKER_URL before the app loads),
// then the environment. Pure; every URL leaves here with its password masked.
import { maskSecretUrl } from '../../util/redact.js';
import { parseCeleryWorker } from './celery-argv.js';
import type { BrokerFrom } from '../types.js';

/** Celery reads the first; the others are common names apps pass on to `broker=`. */
export const BROKER_ENV = ['CELERY_BROKER_URL', 'BROKER_URL', 'CELERY_BROKER'] as const;

/**
 * The -b/--broker value of the Celery invocation in `argv` (unmasked), or null.
 * The last one wins, as with click. `-b X`, `-bX`, `--broker X`, `--broker=X`.
 */
export function brokerFromArgv(argv: string[]): string | null {
  const inv = parseCeleryWorker(argv)?.argv ?? null;
  return inv ? brokerOption(inv.slice(1)) : null;
}

/** The -b/--broker value among Celery's own words (a later one wins, as with click); null when none. */
export function brokerOption(words: string[]): string | null {
  let found: string | null = null;
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (w === '--') break;
    if (w === '-b' || w === '--broker') {
      if (k + 1 < words.length) found = words[++k];
    } else if (w.startsWith('--broker=')) found = w.slice(9);
    else if (w.startsWith('-b') && !w.startsWith('--')) found = w.slice(2).replace(/^=/, '');
  }
  return found;
}

export interface BrokerEvidence {
  broker_url: string | null;
  broker_from: BrokerFrom | null;
}

/** argv first, then the environment (null = unreadable); the URL masked. */
export function brokerEvidence(argv: string[], env: Record<string, string> | null): BrokerEvidence {
  const fromArgv = brokerFromArgv(argv);
  if (fromArgv !== null && fromArgv.trim() !== '') return { broker_url: maskSecretUrl(fromArgv.trim()), broker_from: 'argv' };
  for (const name of BROKER_ENV) {
    const v = env && Object.prototype.hasOwnProperty.call(env, name) ? env[name].trim() : '';
    if (v !== '') return { broker_url: maskSecretUrl(v), broker_from: 'env' };
  }
  return { broker_url: null, broker_from: null };
}
