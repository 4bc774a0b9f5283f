import type { FastifyInstance } from 'fastify';
import { plaidErrors } from '../errors.js';
import { FIREABLE_WEBHOOKS, type PlaidBackend } from '../plaid-backend.js';
import { plaidRoute } from './plaid-route.js';

export function registerSandboxRoutes(app: FastifyInstance, backend: PlaidBackend): void {
  plaidRoute(app, backend, '/sandbox/item/fire_webhook', ({ body, clientId }) => {
    const item = backend.itemForAccessToken(clientId, body.string('access_token'), { allowItemError: true });
    const code = body.string('webhook_code');
    const type = body.optionalString('webhook_type');
    const expectedType = FIREABLE_WEBHOOKS[code];
    if (expectedType === undefined) throw plaidErrors.invalidField(`webhook_code ${code} is not supported`);
    if (type !== undefined && type !== expectedType)
      throw plaidErrors.invalidField(`webhook_code ${code} does not belong to webhook_type ${type}`);
    backend.fireWebhook(item, code);
    return { webhook_fired: true };
  });

  /** Plaid's documented way to put a Sandbox Item into ITEM_LOGIN_REQUIRED. */
  plaidRoute(app, backend, '/sandbox/item/reset_login', ({ body, clientId }) => {
    const item = backend.itemForAccessToken(clientId, body.string('access_token'), { allowItemError: true });
    backend.requireLogin(item);
    return { reset_login: true };
  });

  plaidRoute(app, backend, '/webhook_verification_key/get', ({ body }) => {
    const keyId = body.string('key_id');
    if (keyId !== backend.signer.keyId) throw plaidErrors.invalidWebhookKeyId();
    return { key: backend.signer.publicJwk };
  });
}
