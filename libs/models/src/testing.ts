// Test helpers of the models library: for specs, test platforms and experiments only.
export { syntheticClouds } from './pointnet2/synthetic';
