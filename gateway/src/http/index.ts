export { registerHttpSecurity, type HttpSecurityOptions } from './http-security';
export { registerHealthRoutes, type HealthOptions } from './health';
export {
  registerProtectedResourceMetadata,
  protectedResourceMetadataUrl,
  type ProtectedResourceMetadataOptions,
} from './protected-resource-metadata';
export {
  jsonRpcError,
  jsonRpcErrorsFor,
  JsonRpcErrorCode,
  requestIdOf,
  type JsonRpcErrorBody,
  type JsonRpcId,
} from './json-rpc-error';
export { registerForbiddenKeys } from './forbidden-keys';
