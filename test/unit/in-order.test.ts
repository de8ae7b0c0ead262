import { describe, expect, it } from 'vitest';
import { allInOrder } from '../../src/util/in-order.js';

const later = <T>(ms: number, v: T, fail = false) => new Promise<T>((ok, no) => setTimeout(() => (fail ? no(new Error(String(v))) : ok(v)), ms));

describe('allInOrder', () => {
  it('throws the first failure in the given order, even when a later one fails first', async () => {
    await expect(allInOrder([later(30, 'ca', true), later(0, 'cert', true), later(10, 'key')])).rejects.toThrow(/^ca$/);
    await expect(allInOrder([later(0, 'ca'), later(20, 'cert', true), later(0, 'key', true)])).rejects.toThrow(/^cert$/);
  });

  it('gives every value in order when none fails', async () => {
    expect(await allInOrder([later(20, 1), later(0, 2), later(10, 3)])).toEqual([1, 2, 3]);
  });
});
