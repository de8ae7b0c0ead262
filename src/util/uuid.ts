// Names for what fleetdoc creates on the broker (reply keys, tickets, event queues), in uuid4's form
// as kombu makes them. Math.random, not node:crypto: loading crypto costs ~3 ms of every start,
// and these names only need to be unique, not secret (anyone who can read the broker sees them).

const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');

/** A random version-4 UUID: xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx. */
export function uuid4(): string {
  const variant = (8 + Math.floor(Math.random() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}
