/** Forms with custom questions and petitions with targets: public pages, submissions, signatures. */
export { formPagePath, formRoutes } from './forms.routes.js';
export * from './forms.schemas.js';
export { createForm, deleteForm, listForms, requireForm, updateForm } from './forms.service.js';
export {
  checkAnswers,
  getSubmission,
  listSubmissions,
  type PublicForm,
  publicForm,
  publicSubmit,
  recordSubmission,
  type SubmissionPage,
} from './submissions.service.js';
