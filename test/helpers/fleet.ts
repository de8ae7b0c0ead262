// Building blocks for end-to-end fleets: workers inside sshd "host" containers, a registry over HTTP.
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { freePort } from './redis.js';
import { docker } from './testenv.js';

export const APP_DIR = fileURLToPath(new URL('../fixtures/app/', import.meta.url));
export const APP_MOUNT = ['-v', `${APP_DIR}:/srv/app:ro`];

/** Start a Celery worker inside a host container, from the app dir, as a deployment would. */
export function startInHost(box: string, brokerUrl: string, args: string) {
  return docker(['exec', '-d', '-w', '/srv/app', '-e', `FLEETDOC_TEST_BROKER=${brokerUrl}`, '-e', 'PYTHONDONTWRITEBYTECODE=1',
    box, 'sh', '-c', `exec ${args} --loglevel=warning --without-mingle --without-gossip`]);
}

export async function waitForRoster(client: Redis, names: string[], ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (const name of names) {
    while (!(await client.sismember('_kombu.binding.celery.pidbox', `\x06\x16\x06\x16${name}.celery.pidbox`))) {
      if (Date.now() > deadline) throw new Error(`worker ${name} did not come up`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A heartbeat registry in the coordinator shape, serving whatever `body()` returns. */
export async function startRegistry(body: () => unknown): Promise<{ url: string; server: Server }> {
  const port = await freePort();
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body()));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}/api/admin/workers`, server };
}
