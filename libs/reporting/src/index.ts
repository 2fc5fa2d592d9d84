export { buildModelReport, REPORT_PROFILES, reportFiguresFromData } from './model-report';
export { sweepOperatingPoints } from './operating-points';
export { chipInterval } from './chip-statistics';
