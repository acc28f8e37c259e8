/** Field: turf (polygons or ZIP codes owned by a unit) and walk lists worked door by door. */
export { bboxOf, pointInGeometry, type TurfGeometry, walkOrder } from './geometry.js';
export { turfRoutes } from './turf.routes.js';
export { createTurf, deleteTurf, getTurf, listTurfs, turfPeople, updateTurf } from './turf.service.js';
export {
  addCanvasser,
  CANVASSER_GRANT,
  closeWalkList,
  createWalkList,
  getWalkList,
  listWalkLists,
  openWalkListsOf,
  recordDoor,
  removeCanvasser,
  walkSheet,
} from './walk-lists.service.js';
