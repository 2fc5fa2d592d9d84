import {
  addOperationCounts,
  emptyOperationCounts,
  mergeOperationCounts,
  scaleOperationCounts,
} from './operation-counts';

describe('operation counts', () => {
  it('adds in place, scales and merges into a new record', () => {
    const a = { ...emptyOperationCounts(), cimMacs: 1, adcConversions: 2, camRowReadouts: 3 };
    const b = { ...emptyOperationCounts(), cimMacs: 10, digitalOps: 50, activationWrites: 7 };
    const merged = mergeOperationCounts(a, b, a);
    expect(merged).toEqual({
      ...emptyOperationCounts(),
      cimMacs: 12,
      adcConversions: 4,
      camRowReadouts: 6,
      digitalOps: 50,
      activationWrites: 7,
    });
    expect(a.cimMacs).toBe(1);
    const target = emptyOperationCounts();
    expect(addOperationCounts(target, b)).toBe(target);
    expect(target).toEqual(b);
    expect(scaleOperationCounts(b, 3)).toEqual({
      ...emptyOperationCounts(),
      cimMacs: 30,
      digitalOps: 150,
      activationWrites: 21,
    });
  });
});
