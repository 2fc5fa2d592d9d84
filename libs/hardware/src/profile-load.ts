import { readFileSync } from 'node:fs';
import type { DeviceProfile } from './profile';
import { DeviceProfileError, parseDeviceProfile } from './profile-parse';

/** Reads and validates a device profile JSON file. */
export function loadDeviceProfile(path: string): DeviceProfile {
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DeviceProfileError('(root)', `in ${path} is not valid JSON: ${reason}`);
  }
  return parseDeviceProfile(json);
}
