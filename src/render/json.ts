// One JSON document on stdout, and nothing else there.
export function renderJson(doc: unknown): string {
  return JSON.stringify(doc, null, 2) + '\n';
}
