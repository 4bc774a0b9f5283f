export { startGateway, type Gateway, type GatewayOptions } from './app';
export { GatewayEnv, loadGatewayConfig, serviceAddresses, type GatewayConfig } from './env';
export { buildCatalog, type Catalog, type ToolEntry, type ResourceEntry } from './catalog/catalog';
