// Terminal-safe text: fleet-supplied strings may hold newlines or escape codes.

/** Keep each message to one safe line. */
export function oneLine(s: string): string {
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?').replace(/\n/g, ' ');
}
