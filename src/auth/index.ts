/** The auth domain's public face. */

export { authRoutes } from './auth.routes.js';
export { authenticate, CSRF_HEADER, SESSION_COOKIE, SESSION_TTL_MS } from './authenticate.js';
export { hashPassword, MIN_PASSWORD_LENGTH } from './secrets.js';
export { LoginInput, type LoginResult, login, logout } from './sessions.service.js';
export { createToken, listTokens, revokeToken, TokenInput, type TokenView } from './tokens.service.js';
export {
  addUser,
  findUserByEmail,
  getUser,
  listUsers,
  setUserDisabled,
  UserInput,
  type UserView,
} from './users.service.js';
