/** Relationships between people (recruited_by, household, works_with, custom). */
export { relationshipRoutes } from './relationships.routes.js';
export { RELATIONSHIP_KINDS, RelationshipInput, RelationshipView } from './relationships.schemas.js';
export { addRelationship, deleteRelationship, listRelationships } from './relationships.service.js';
