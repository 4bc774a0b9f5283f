import { describe, expect, it } from 'vitest';
import { startTestFleet } from '../src/index';

describe('startTestFleet', () => {
  it('loads a fleet service by its folder name only', async () => {
    await expect(startTestFleet({ services: ['../packages/kit'], gateway: false })).rejects.toThrow(
      /not a service folder name/,
    );
  });

  it('names a service that is not in services/ and starts nothing', async () => {
    await expect(startTestFleet({ services: ['no-such-service'], gateway: false })).rejects.toThrow(/no-such-service/);
  });

  it('starts auth alone, reports each service by name, and stops', async () => {
    const fleet = await startTestFleet({ gateway: false });
    try {
      expect(Object.keys(fleet.services)).toEqual(['auth']);
      expect(fleet.service('auth').port).toBe(fleet.auth.port);
      expect(() => fleet.service('payments')).toThrow(/not part of this fleet/);
      const user = await fleet.createUser({ role: 'support' });
      expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await fleet.stop();
    }
  });
});
