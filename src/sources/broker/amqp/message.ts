// AMQP message bodies as kombu sends them: raw bytes, with content-type in the properties
// (no Redis-style envelope). Anything odd becomes a reason, never an exception.
import type { DecodeResult } from '../envelope.js';
import { isObject } from '../envelope.js';

export function decodeAmqp(content: Buffer, properties: { contentType?: unknown; contentEncoding?: unknown; headers?: unknown }): DecodeResult {
  const type = typeof properties.contentType === 'string' && properties.contentType ? properties.contentType : 'application/json';
  if (type !== 'application/json') return { ok: false, why: `content-type ${type.slice(0, 60)} is not decoded by fleetdoc` };
  const enc = typeof properties.contentEncoding === 'string' ? properties.contentEncoding.toLowerCase() : 'utf-8';
  if (enc !== 'utf-8' && enc !== 'utf8' && enc !== 'binary') return { ok: false, why: `content-encoding ${enc.slice(0, 30)} is not decoded by fleetdoc` };
  const headers = isObject(properties.headers) ? properties.headers : {};
  try {
    return { ok: true, msg: { headers, properties: {}, body: JSON.parse(content.toString('utf8')) } };
  } catch {
    return { ok: false, why: 'body is not valid JSON' };
  }
}

/** The publish options kombu uses for a pidbox message: JSON, transient, with clock and expires. */
export function controlProperties(timeoutMs: number | null) {
  return {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    deliveryMode: 1,
    headers: { clock: 1, expires: timeoutMs === null ? 0 : (Date.now() + timeoutMs) / 1000 },
  };
}
