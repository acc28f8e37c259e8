/** Places: US ZIP code centroids from the packaged table and the one great-circle distance. */
export { boundingBox, distanceKm, type Point, pointsWithin, withinKm } from './distance.js';
export { zipCentroid, zipsWithin } from './zip.js';
