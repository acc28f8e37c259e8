export { unitRoutes } from './units.routes.js';
export {
  addUnit,
  getUnit,
  getUnitByPath,
  listUnits,
  renameUnit,
  UNIT_KINDS,
  UNIT_PATH,
  UnitInput,
  UnitPatch,
  type UnitView,
} from './units.service.js';
