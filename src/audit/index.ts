/** The audit domain's public face: the hash-chained, append-only audit trail. */
export {
  AUDIT_ACTIONS,
  type AuditActor,
  type AuditEntry,
  canonicalJson,
  entryHash,
  ZERO_HASH,
} from './audit.chain.js';
export { AuditLog, type AuditLogOptions, type AuditLogStats, recordNow } from './audit.log.js';
export { auditRoutes } from './audit.routes.js';
export {
  type AuditEventView,
  type AuditQuery,
  auditPeopleRead,
  listAudit,
  verifyOwnAudit,
} from './audit.service.js';
export {
  type ChainProblem,
  type ChainProblemKind,
  type VerifyResult,
  verifyAuditChain,
} from './audit.verify.js';
