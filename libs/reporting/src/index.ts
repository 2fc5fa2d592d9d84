export { buildModelReport, REPORT_PROFILES } from './model-report';
