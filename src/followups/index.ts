/** One-on-ones (on the person's timeline), follow-ups with due dates and owners, the point person. */
export { followUpRoutes } from './followups.routes.js';
export {
  addFollowUp,
  listFollowUps,
  listOneOnOnes,
  logOneOnOne,
  myFollowUps,
  updateFollowUp,
} from './followups.service.js';
export { clearPointPerson, getPointPerson, setPointPerson } from './point-person.service.js';
