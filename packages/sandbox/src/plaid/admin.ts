import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { PlaidBackend } from './plaid-backend.js';
import type { PlaidItem } from './item.js';
import { PlaidApiError } from './errors.js';

interface ItemParams {
  item: string;
}

/**
 * Test-only routes (mounted by the sandbox on its admin server under `/plaid`), so tests in another process can do
 * what the in-process helpers do. `:item` is an item_id or an access token.
 */
export function plaidAdminRoutes(backend: PlaidBackend): FastifyPluginAsync {
  return async (admin) => {
    const withItem = async <T>(reply: FastifyReply, ref: string, action: (item: PlaidItem) => T | Promise<T>) => {
      let item: PlaidItem;
      try {
        item = backend.resolveItem(ref);
      } catch {
        return reply.code(404).send({ error: `no Plaid item ${ref}` });
      }
      try {
        return reply.send(await action(item));
      } catch (error) {
        if (error instanceof PlaidApiError) return reply.code(error.status).send(error.toBody());
        throw error;
      }
    };

    admin.post<{ Params: ItemParams }>('/items/:item/activity', (request, reply) =>
      withItem(reply, request.params.item, (item) => backend.refreshTransactions(item)),
    );

    admin.post<{ Params: ItemParams; Body: { count?: number } | undefined }>(
      '/items/:item/transactions',
      (request, reply) => {
        const count = request.body?.count ?? 1;
        if (!Number.isInteger(count) || count < 1 || count > 10_000)
          return reply.code(400).send({ error: 'count must be an integer from 1 to 10000' });
        return withItem(reply, request.params.item, (item) => ({
          added: backend.addPurchases(item, count).map((tx) => tx.transaction_id),
        }));
      },
    );

    admin.post<{ Params: ItemParams; Body: { webhook_code?: string } | undefined }>(
      '/items/:item/webhooks',
      (request, reply) => {
        const code = request.body?.webhook_code;
        if (typeof code !== 'string') return reply.code(400).send({ error: 'webhook_code is required' });
        return withItem(reply, request.params.item, (item) => ({ payload: backend.fireWebhook(item, code).payload }));
      },
    );

    admin.post<{ Params: ItemParams }>('/items/:item/login-required', (request, reply) =>
      withItem(reply, request.params.item, (item) => {
        backend.requireLogin(item);
        return { item_id: item.itemId, error: item.error?.toBody() ?? null };
      }),
    );

    admin.post<{ Params: ItemParams }>('/items/:item/login-repaired', (request, reply) =>
      withItem(reply, request.params.item, (item) => {
        backend.repairLogin(item);
        return { item_id: item.itemId, error: null };
      }),
    );

    admin.get('/webhooks', async () => ({
      webhooks: backend.webhooks
        .sent()
        .map(({ itemId, payload, delivery }) => ({ item_id: itemId, payload, delivery })),
    }));

    admin.post('/webhooks/flush', async () => {
      await backend.webhooks.flush();
      return { flushed: true };
    });
  };
}
