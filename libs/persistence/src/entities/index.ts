export { ModelArtifactEntity } from './model-artifact.entity';
export { SweepEntity } from './sweep.entity';
export { RunEntity } from './run.entity';
export { ResultEntity } from './result.entity';
