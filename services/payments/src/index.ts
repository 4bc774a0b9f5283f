export { service, startPaymentsService, MIGRATIONS_DIR, type PaymentsService } from './service';
export { PaymentsEnv, loadPaymentsConfig, type PaymentsConfig } from './env';
export type { PaymentsDeps } from './deps';
