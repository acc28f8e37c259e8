import { describe, expect, it } from 'vitest';
import { bboxOf, parseStreet, pointInGeometry, type TurfGeometry, walkOrder } from './geometry.js';

// A "U": the notch between x 1..2 above y 1 is outside; a hole at (0.25..0.5, 0.25..0.5).
const U: TurfGeometry = {
  type: 'Polygon',
  coordinates: [
    [
      [0, 0],
      [3, 0],
      [3, 3],
      [2, 3],
      [2, 1],
      [1, 1],
      [1, 3],
      [0, 3],
      [0, 0],
    ],
    [
      [0.25, 0.25],
      [0.5, 0.25],
      [0.5, 0.5],
      [0.25, 0.5],
      [0.25, 0.25],
    ],
  ],
};

describe('point in polygon', () => {
  it('tells the arms of a concave polygon from its notch, and a hole from the rest', () => {
    expect(pointInGeometry(0.5, 2.5, U)).toBe(true); // left arm
    expect(pointInGeometry(2.5, 2.5, U)).toBe(true); // right arm
    expect(pointInGeometry(1.5, 0.5, U)).toBe(true); // the base
    expect(pointInGeometry(1.5, 2, U)).toBe(false); // the notch: inside the bounding box
    expect(pointInGeometry(0.4, 0.4, U)).toBe(false); // the hole
    expect(pointInGeometry(4, 1, U)).toBe(false);
    expect(pointInGeometry(-0.1, 1, U)).toBe(false);
  });

  it('takes a point inside any polygon of a multipolygon', () => {
    const two: TurfGeometry = {
      type: 'MultiPolygon',
      coordinates: [
        U.coordinates as [number, number][][],
        [
          [
            [10, 10],
            [11, 10],
            [11, 11],
            [10, 10],
          ],
        ],
      ],
    };
    expect(pointInGeometry(10.9, 10.5, two)).toBe(true);
    expect(pointInGeometry(10.1, 10.5, two)).toBe(false);
    expect(pointInGeometry(0.5, 2.5, two)).toBe(true);
    expect(bboxOf(two)).toEqual({ min_lat: 0, max_lat: 11, min_lon: 0, max_lon: 11 });
  });
});

describe('walking order', () => {
  const door = (line: string, zip = '94601') => ({
    address_key: `${line}|${zip}`.toLowerCase(),
    address_lines: [line],
    postal_code: zip,
  });

  it('reads the house number and the street', () => {
    expect(parseStreet('1234B  Main   St')).toEqual({ number: 1234, street: 'main st' });
    expect(parseStreet('12-3 Oak Ave')).toEqual({ number: 12, street: 'oak ave' });
    expect(parseStreet('PO Box 7')).toEqual({ number: null, street: 'po box 7' });
  });

  it('walks each street up the odd side and back down the even side, street by street, ZIP by ZIP', () => {
    const doors = [
      door('104 Main St'),
      door('1 Oak Ave', '94610'),
      door('101 Main St'),
      door('102 Main St'),
      door('PO Box 7'),
      door('7 Elm St'),
      door('103 Main St'),
    ];
    const order = walkOrder(doors).map((d) => d.address_lines[0]);
    expect(order).toEqual([
      '7 Elm St',
      '101 Main St',
      '103 Main St',
      '104 Main St',
      '102 Main St',
      'PO Box 7',
      '1 Oak Ave',
    ]);
    // The same doors in any order give the same route.
    expect(walkOrder([...doors].reverse()).map((d) => d.address_lines[0])).toEqual(order);
  });
});
