import {
  EvaluationModel,
  assertEnginesRegistered,
  defaultEngine,
  registerEngine,
} from '@engram/evaluation';
import { missingEngines } from '@engram/evaluation/testing';
import './index';

describe('the onnx engine registration', () => {
  it('registers on import: every built-in model then has all its engines', () => {
    expect(missingEngines()).toEqual([]);
    expect(() => assertEnginesRegistered()).not.toThrow();
    expect(defaultEngine({ name: 'pointnet2-modelnet10' } as EvaluationModel)).toBe('onnx');
  });

  it('is the one engine named onnx', () => {
    expect(() =>
      registerEngine({
        name: 'onnx',
        create: () => {
          throw new Error('never created');
        },
      }),
    ).toThrow('engine onnx is already registered');
  });
});
