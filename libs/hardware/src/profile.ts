import type { ConductanceNoiseModel, GroupValue } from './profile-fields';
import { PROFILE_FIELDS } from './profile-fields';

/**
 * Device profile: the memristor technology, the crossbar and TCAM periphery and the energy
 * constants one simulated run assumes. Versioned so stored sweep results stay interpretable.
 * Its fields (type, unit, bounds, meaning) are declared once in `profile-fields.ts`; the default
 * profile and the source of every value are in `default-profile.ts`.
 */
export type DeviceProfile = GroupValue<typeof PROFILE_FIELDS>;

export type { ConductanceNoiseModel };

/** Recursively optional view of a profile, for sweep overrides. */
export type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
