// kombu message envelopes on Redis: JSON around a (usually base64) JSON body.
import { uuid4 } from '../../util/uuid.js';

export interface Decoded {
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  body: unknown;
}

export type DecodeResult = { ok: true; msg: Decoded } | { ok: false; why: string };

export function encodeMessage(
  body: unknown,
  opts: { exchange: string; routingKey: string; headers?: Record<string, unknown> },
): string {
  return JSON.stringify({
    body: Buffer.from(JSON.stringify(body), 'utf8').toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: opts.headers ?? {},
    properties: {
      delivery_mode: 2,
      priority: 0,
      body_encoding: 'base64',
      delivery_info: { exchange: opts.exchange, routing_key: opts.routingKey },
      delivery_tag: uuid4(),
    },
  });
}

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;

/** Decode an envelope; anything odd becomes a reason, never an exception. */
export function decodeEnvelope(raw: string | Buffer): DecodeResult {
  const parsed = parseEnvelope(raw);
  if (!parsed.ok) return parsed;
  const env = parsed.env;
  const props = isObject(env.properties) ? env.properties : {};
  const headers = isObject(env.headers) ? env.headers : {};
  const type = typeof env['content-type'] === 'string' ? env['content-type'] : 'application/json';
  if (type !== 'application/json') return { ok: false, why: `content-type ${type} is not decoded by fleetdoc` };
  let text: string;
  if (props.body_encoding === 'base64') {
    if (typeof env.body !== 'string' || !BASE64.test(env.body)) return { ok: false, why: 'body is not base64' };
    text = Buffer.from(env.body, 'base64').toString('utf8');
  } else if (typeof env.body === 'string') {
    text = env.body;
  } else {
    return { ok: true, msg: { headers, properties: props, body: env.body } };
  }
  try {
    return { ok: true, msg: { headers, properties: props, body: JSON.parse(text) } };
  } catch {
    return { ok: false, why: 'body is not valid JSON' };
  }
}

function parseEnvelope(raw: string | Buffer): { ok: true; env: Record<string, unknown> } | { ok: false; why: string } {
  let env: unknown;
  try {
    env = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, why: 'message is not valid JSON' };
  }
  if (!isObject(env)) return { ok: false, why: 'message is not a JSON object' };
  return { ok: true, env };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
