/**
 * Promise.all that waits for every promise and throws the first failure in the order given, not
 * in the order they failed: the error a user sees (which file is missing) is the same on every run.
 */
export async function allInOrder<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}
