// One JSON document on stdout, and nothing else there.
import { jsonSafe } from '../util/text.js';

export function renderJson(doc: unknown): string {
  return jsonSafe(JSON.stringify(doc, null, 2)) + '\n';
}
