export { unitRoutes } from './units.routes.js';
export {
  addUnit,
  getUnit,
  getUnitByPath,
  listUnits,
  UNIT_KINDS,
  UNIT_PATH,
  UnitInput,
  type UnitView,
} from './units.service.js';
