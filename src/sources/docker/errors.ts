// Why an engine could not be read, in one line a user can act on.

/** An error whose message is already the one-line reason to show. */
export class EngineError extends Error {}

/** Thrown by our own deadline: the engine accepted but did not answer in time. */
export class NoAnswer extends Error {}

const BY_CODE: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ECONNREFUSED: 'connection refused',
  ENOENT: 'no such socket',
  ENOTSOCK: 'not a socket',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'cannot resolve the host name',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'the engine closed the connection',
  EPIPE: 'the engine closed the connection',
  EPROTO: 'TLS handshake failed',
};

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/;

/** `<endpoint>: <reason>`, always one line. */
export function describeError(endpoint: string, err: unknown, timeoutMs: number): string {
  return `${endpoint}: ${reason(endpoint, err, timeoutMs)}`.replace(/\s*[\r\n]+\s*/g, ' ');
}

export function noAnswer(timeoutMs: number): string {
  return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`;
}

function reason(endpoint: string, err: unknown, timeoutMs: number): string {
  if (err instanceof EngineError) return err.message;
  if (err instanceof NoAnswer) return noAnswer(timeoutMs);
  const e = (err ?? {}) as { code?: unknown; name?: unknown; statusCode?: unknown; level?: unknown; json?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const unix = endpoint.startsWith('unix://') || endpoint.startsWith('/');
  if (code === 'EACCES' || code === 'EPERM') return unix ? 'permission denied (add the user to the docker group?)' : 'permission denied';
  if (code === 'ECONNREFUSED' && unix) return 'connection refused (the socket exists but nothing listens: is dockerd running?)';
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || e.level === 'client-timeout') return noAnswer(timeoutMs);
  if (code === 'ECONNRESET' && endpoint.startsWith('tcp://')) return 'the engine closed the connection (does it expect TLS? set DOCKER_TLS_VERIFY=1)';
  if (BY_CODE[code]) return BY_CODE[code];
  if (code.startsWith('HPE_')) return 'answered, but not as a Docker engine (not HTTP)';
  if (TLS_CODES.test(code)) return `TLS: ${firstLine(err)}`;
  if (e.name === 'AbortError') return 'cancelled';
  if (e.level === 'client-authentication') return 'ssh authentication failed (no key in SSH_AUTH_SOCK or ~/.ssh accepted)';
  if (typeof e.statusCode === 'number') return httpReason(e.statusCode, err);
  if (err instanceof SyntaxError) return 'answered, but not as a Docker engine (not JSON)';
  return firstLine(err);
}

function httpReason(status: number, err: unknown): string {
  const text = firstLine(err).replace(/^\(HTTP code \d+\)\s*/, '');
  if (/HTTP request to an HTTPS server/i.test(text)) return 'the engine expects TLS (set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH)';
  if (status === 401 || status === 403) return `permission denied (HTTP ${status})`;
  if (status === 404) return 'answered, but not as a Docker engine (HTTP 404)';
  return `HTTP ${status}: ${text}`;
}

export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'unknown error';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
