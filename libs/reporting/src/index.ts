export { buildModelReport, REPORT_PROFILES } from './model-report';
export type { ModelReport, ReportOptions, ReportTargets } from './model-report';
export { sweepOperatingPoints } from './operating-points';
export type { OperatingPoint, OperatingPointSweep } from './operating-points';
export { chipInterval } from './chip-statistics';
export type { ChipInterval } from './chip-statistics';
