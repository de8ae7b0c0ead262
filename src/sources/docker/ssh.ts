// ssh://user@host engines, the way the docker CLI reaches them: one ssh
// connection, and `docker system dial-stdio` on the remote for each HTTP
// connection, handed to node:http's Agent as its socket.
// fs.promises, not node:fs/promises: it loads on first use, not on every start (~2 ms).
import { promises as fs } from 'node:fs';
import { Agent } from 'node:http';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { EngineError, firstLine } from './errors.js';

export interface SshTarget {
  host: string;
  port: number;
  user: string | null;
}

// Sessions per ssh connection are limited (sshd's MaxSessions is 10).
export const SSH_CONCURRENCY = 4;

export async function sshAgent(t: SshTarget, opts: { timeoutMs: number; env: NodeJS.ProcessEnv }): Promise<{ agent: Agent; close(): void }> {
  let Client: typeof import('ssh2').Client;
  try {
    const mod = await import('ssh2');
    Client = mod.Client ?? (mod as unknown as { default: typeof mod }).default.Client;
  } catch (err) {
    throw new EngineError(`ssh:// needs the ssh2 package, which cannot be loaded (${firstLine(err)})`);
  }
  const conn = new Client();
  const ready = new Promise<void>((resolve, reject) => {
    conn.once('ready', resolve);
    conn.once('error', reject);
  });
  ready.catch(() => undefined);
  conn.on('error', () => undefined); // later errors surface on the channels
  const agentSock = opts.env.SSH_AUTH_SOCK;
  const privateKey = agentSock ? undefined : await defaultIdentity(opts.env);
  try {
    conn.connect({ host: t.host, port: t.port, username: t.user ?? opts.env.USER ?? userInfo().username, agent: agentSock, privateKey, readyTimeout: opts.timeoutMs });
  } catch (err) {
    conn.destroy();
    throw new EngineError(`ssh: ${firstLine(err)}`); // e.g. a default key with a passphrase
  }
  const agent = new Agent({ keepAlive: true, maxSockets: SSH_CONCURRENCY });
  // Node's Agent accepts a connection handed over through the callback.
  agent.createConnection = ((_options: unknown, done: (err: Error | null, socket?: Duplex) => void) => {
    ready.then(
      () => conn.exec('docker system dial-stdio', (err, channel) => (err ? done(err) : done(null, dialStdio(channel)))),
      (err: Error) => done(err),
    );
    return undefined;
  }) as unknown as Agent['createConnection'];
  return {
    agent,
    close: () => {
      agent.destroy();
      conn.destroy();
    },
  };
}

// The HTTP connection over one `docker system dial-stdio` channel. The end
// of the stream is passed on only at the channel's close, after its exit
// status: a remote without a docker CLI then fails with the reason, not a
// bare "socket hang up".
function dialStdio(channel: ClientChannel): Duplex {
  let stderr = '';
  let code: number | null = null;
  channel.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(0, 1000);
  });
  channel.on('exit', (c: number | null) => {
    code = c;
  });
  const sock = new Duplex({
    read: () => void channel.resume(),
    write: (chunk, enc, cb) => void channel.write(chunk, enc, cb),
    final: (cb) => {
      channel.end();
      cb();
    },
    destroy: (err, cb) => {
      channel.destroy();
      cb(err);
    },
  });
  channel.on('data', (d: Buffer) => {
    if (!sock.push(d)) channel.pause();
  });
  channel.on('error', (err: Error) => sock.destroy(err));
  channel.on('close', () => {
    if (!code) sock.push(null);
    else sock.destroy(new EngineError(`docker system dial-stdio failed on the host (${stderr.trim() ? firstLine(stderr) : `exit ${code}`})`));
  });
  // The HTTP client and a keep-alive Agent call these on a socket.
  const s = sock as unknown as Record<string, unknown>;
  for (const name of ['setTimeout', 'setKeepAlive', 'setNoDelay', 'ref', 'unref']) s[name] = () => sock;
  return sock;
}

// ssh2 reads neither ~/.ssh/config nor default keys: without an agent, offer the usual key.
async function defaultIdentity(env: NodeJS.ProcessEnv): Promise<Buffer | undefined> {
  const dir = join(env.HOME || homedir(), '.ssh');
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const key = await fs.readFile(join(dir, name)).catch(() => null);
    if (key) return key;
  }
  return undefined;
}
