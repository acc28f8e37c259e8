/** Custom field definitions and the validation of values against them. */
export { fieldRoutes } from './fields.routes.js';
export { FIELD_CLASSES, FIELD_TYPES, FieldInput, FieldPatch, FieldView } from './fields.schemas.js';
export { createField, getField, listFields, updateField } from './fields.service.js';
export { checkFieldValue, MAX_TEXT_VALUE, validateCustomFieldValues } from './validate.js';
