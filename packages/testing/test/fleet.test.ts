import { describe, expect, it } from 'vitest';
import { fleetServices } from '@fintech/contracts';
import { loadFleetService, startTestFleet } from '../src/index';

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

describe('each service of the fleet manifest', () => {
  // The manifest (what pnpm start, compose and Kubernetes run) and the declarations (what the kit and this fixture
  // start) describe the same services; a service renamed or rewired in one place only fails here.
  for (const entry of fleetServices()) {
    it(`${entry.name}: its declaration has the manifest's name, proto package and provider webhooks`, async () => {
      const service = await loadFleetService(entry.name);
      expect(service.name).toBe(entry.name);
      expect(service.descriptor.serviceName.startsWith(`${entry.protoPackage}.`)).toBe(true);
      const manifestWebhooks = entry.ingress
        .filter((ingress) => ingress.provider !== undefined)
        .map((ingress) => `${ingress.provider}:${ingress.path}`);
      const declaredWebhooks = (service.sandbox?.webhooks ?? []).map((w) => `${w.provider}:${w.path}`);
      expect(declaredWebhooks).toEqual(manifestWebhooks);
      expect(service.sandbox !== undefined).toBe(entry.providers.length > 0);
    });
  }
});
