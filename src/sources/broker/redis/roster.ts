// The roster: one member of _kombu.binding.celery.pidbox per worker that declared its mailbox.
import type { BrokerConnection } from './connect.js';
import { SEP } from './pidbox.js';

const SUFFIX = '.celery.pidbox';

export async function readRoster(conn: BrokerConnection): Promise<{ names: string[]; warnings: string[] }> {
  const members = await conn.cmd.smembers(conn.key('_kombu.binding.celery.pidbox'));
  const names: string[] = [];
  const warnings: string[] = [];
  for (const member of members) {
    const queue = member.split(SEP)[2];
    if (queue === undefined || !queue.endsWith(SUFFIX) || queue.length === SUFFIX.length) {
      warnings.push(`skipped an odd roster entry ${JSON.stringify(member.slice(0, 120))}`);
      continue;
    }
    names.push(queue.slice(0, -SUFFIX.length));
  }
  return { names: [...new Set(names)].sort(), warnings };
}
