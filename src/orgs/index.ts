export { countOrgs, createOrg, findOrgBySlug, type Org, OrgInput } from './orgs.service.js';
