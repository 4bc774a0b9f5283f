export { service, startAuthService, MIGRATIONS_DIR, type AuthService } from './service';
export { AuthEnv, loadAuthConfig, type AuthConfig } from './env';
export { createUser, type CreateUserInput } from './users/create-user';
