/** Engagement ladders: levels, dated assessments, suggestion rules and suggestions, pipeline views. */
export { assess, listAssessments, personLadders } from './assessments.service.js';
export { ladderRoutes } from './ladder.routes.js';
export { PersonRef } from './ladder.schemas.js';
export {
  addLevel,
  addRule,
  createLadder,
  getLadder,
  listLadders,
  updateLadder,
  updateLevel,
  updateRule,
} from './ladders.service.js';
export { ladderPeople, movements, newPeople, pipeline } from './pipeline.service.js';
export { RULE_COUNTERS, type RuleToCount } from './rules.js';
export { acceptSuggestion, dismissSuggestion, listSuggestions, runRules } from './suggestions.service.js';
