/** Surveys, call lists and phone trees: calling people, and what they answered. */

export { CALL_OUTCOMES } from './call-lists.schemas.js';
export {
  addCaller,
  closeCallList,
  createCallList,
  getCallList,
  grantListAssignment,
  type ListGrant,
  listCallLists,
  openCallListsOf,
  removeCaller,
  revokeListAssignment,
} from './call-lists.service.js';
export { callingRoutes } from './calling.routes.js';
export { nextCall, recordCall } from './calls.service.js';
export {
  createPhoneTree,
  getPhoneTree,
  listPhoneTrees,
  recordTreeResult,
  responsibleFor,
} from './phone-trees.service.js';
export {
  AnswerInput,
  type AnswerView,
  QUESTION_TYPES,
  type QuestionView,
  type SurveyView,
} from './surveys.schemas.js';
export {
  addQuestion,
  createSurvey,
  getQuestion,
  getSurvey,
  insertAnswers,
  listAnswersOfPerson,
  listAnswersOfQuestion,
  listQuestions,
  listSurveys,
  recordAnswers,
  updateSurvey,
} from './surveys.service.js';
