import { startSandbox } from '@fintech/sandbox';
import { serveParent } from '../lib/child';

/** The provider sandbox (Stripe, Plaid, Alpaca emulators) as its own process, on free ports. */
const sandbox = await startSandbox({
  seed: 'bench',
  ports: { stripe: 0, plaid: 0, alpaca: 0, admin: 0 },
});

serveParent(
  { stripeUrl: sandbox.urls.stripe },
  {
    addWebhook({ url, secret }: { url: string; secret: string }) {
      sandbox.stripe.addWebhookEndpoint(url, secret);
    },
  },
  () => sandbox.close(),
);
