import { describe, expect, it } from 'vitest';
import { uuid4 } from '../../src/util/uuid.js';

describe('uuid4', () => {
  it("has uuid4's form, as kombu's names do", () => {
    for (let i = 0; i < 200; i++) expect(uuid4()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('does not repeat', () => {
    const seen = new Set(Array.from({ length: 10000 }, uuid4));
    expect(seen.size).toBe(10000);
  });
});
