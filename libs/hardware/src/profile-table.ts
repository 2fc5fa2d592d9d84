import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import type { DeviceProfile } from './profile';
import type { ConductanceNoiseModel, GroupField, ProfileField } from './profile-fields';
import { PROFILE_FIELDS } from './profile-fields';
import { describeNumberRule } from './profile-parse';

/**
 * The hardware README's table of device profile fields, generated from the declaration
 * (profile-fields.ts) and the default profile: a spec fails when the README's copy drifts, and
 * `npm run docs:device-profile` rewrites it.
 */

export const PROFILE_TABLE_START = '<!-- device-profile-fields:start -->';
export const PROFILE_TABLE_END = '<!-- device-profile-fields:end -->';

const HEADER = ['field', 'type', 'unit', `default (\`${DEFAULT_DEVICE_PROFILE.name}\`)`, 'meaning'];

function code(text: string): string {
  return `\`${text}\``;
}

function describeType(field: ProfileField): string {
  switch (field.kind) {
    case 'number': {
      const rule = describeNumberRule(field).replace(/^an? /, '');
      return field.nullable ? `${rule} or null` : rule;
    }
    case 'choice':
      return `one of ${field.choices.map(code).join(', ')}`;
    case 'noise-model':
      return `${code('uniform')} or ${code('state-dependent')} model, each std a ${describeNumberRule(field.bounds).replace(/^an? /, '')}`;
    case 'group':
      return field.nullable ? 'object or null' : 'object';
    case 'version':
      return String(field.value);
    case 'name':
      return 'non-empty string';
  }
}

function describeValue(field: ProfileField, value: unknown): string {
  if (value === null) return code('null');
  if (field.kind === 'choice') return code(String(value));
  if (field.kind === 'noise-model') {
    const noise = value as ConductanceNoiseModel;
    return noise.model === 'uniform'
      ? `uniform ${noise.relativeStd}`
      : `state-dependent: LRS ${noise.lrsRelativeStd}, HRS ${noise.hrsRelativeStd}`;
  }
  return String(value);
}

/** One row per declared field below the top level's version and name, groups by their leaves. */
function fieldRows(
  fields: GroupField['fields'],
  values: Readonly<Record<string, unknown>> | null,
  prefix: string,
): string[][] {
  const rows: string[][] = [];
  for (const [key, field] of Object.entries(fields)) {
    const path = prefix + key;
    if (field.kind === 'version' || field.kind === 'name') continue;
    const value = values === null ? undefined : values[key];
    if (field.kind === 'group') {
      // A nullable group gets a row of its own (its default may be null); its fields follow.
      if (field.nullable) {
        rows.push([code(path), describeType(field), '', describeValue(field, value), field.doc]);
      }
      const inner = (value ?? null) as Readonly<Record<string, unknown>> | null;
      rows.push(...fieldRows(field.fields, inner, `${path}.`));
      continue;
    }
    const shown =
      value === undefined ? `— (${prefix.slice(0, -1)} is null)` : describeValue(field, value);
    rows.push([code(path), describeType(field), field.unit, shown, field.doc]);
  }
  return rows;
}

/** Header and rows of the field table for `profile` (the default profile unless given). */
export function profileTableRows(profile: DeviceProfile = DEFAULT_DEVICE_PROFILE): string[][] {
  return [HEADER, ...fieldRows(PROFILE_FIELDS, profile, '')];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The table as markdown (unpadded; prettier aligns its columns). */
export function profileTableMarkdown(profile: DeviceProfile = DEFAULT_DEVICE_PROFILE): string {
  const [header, ...rows] = profileTableRows(profile);
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Cells of a markdown table's rows (separator row dropped, `\|` unescaped, cells trimmed). */
export function markdownTableCells(table: string): string[][] {
  return table
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|')),
    );
}

/** The text between the README's table markers, or null when a marker is missing. */
export function generatedSection(readme: string): string | null {
  const start = readme.indexOf(PROFILE_TABLE_START);
  const end = readme.indexOf(PROFILE_TABLE_END);
  if (start < 0 || end < start) return null;
  return readme.slice(start + PROFILE_TABLE_START.length, end);
}

/** The README with the text between its markers replaced by a freshly generated table. */
export function withGeneratedTable(readme: string): string {
  const section = generatedSection(readme);
  if (section === null) {
    throw new Error(`the README has no ${PROFILE_TABLE_START} ... ${PROFILE_TABLE_END} markers`);
  }
  const start = readme.indexOf(PROFILE_TABLE_START) + PROFILE_TABLE_START.length;
  return `${readme.slice(0, start)}\n\n${profileTableMarkdown()}\n\n${readme.slice(start + section.length)}`;
}
