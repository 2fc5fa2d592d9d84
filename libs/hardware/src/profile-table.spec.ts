import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import { profileFieldAt } from './device-knobs';
import {
  generatedSection,
  markdownTableCells,
  profileTableMarkdown,
  profileTableRows,
  withGeneratedTable,
} from './profile-table';
import { withOverrides } from './profile-overrides';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('the README table of device profile fields', () => {
  it('is the one the declaration and the default profile generate (npm run docs:device-profile)', () => {
    const section = generatedSection(readme);
    expect(section).not.toBeNull();
    expect(markdownTableCells(section ?? '')).toEqual(profileTableRows());
  });

  it('changes with a default value, so a value edited in one place only is caught', () => {
    const edited = withOverrides(DEFAULT_DEVICE_PROFILE, { adc: { bits: 6 } });
    const adcRow = (rows: string[][]) => rows.find((row) => row[0] === '`adc.bits`');
    expect(adcRow(profileTableRows())?.[3]).toBe(String(DEFAULT_DEVICE_PROFILE.adc.bits));
    expect(adcRow(profileTableRows(edited))?.[3]).toBe('6');
    expect(markdownTableCells(profileTableMarkdown(edited))).not.toEqual(
      markdownTableCells(generatedSection(readme) ?? ''),
    );
  });

  it('reads back what it writes, pipes in cells included', () => {
    const rewritten = withGeneratedTable(readme);
    expect(markdownTableCells(generatedSection(rewritten) ?? '')).toEqual(profileTableRows());
    const pipes = profileTableRows().find((row) => row[0] === '`dac.calibrationPercentile`');
    expect(pipes?.[4]).toContain('|input|');
  });

  it('lists every field the sources table cites, and the sources table only declared fields', () => {
    const sources = readme.slice(readme.indexOf('### Sources of the default values'));
    const cited = markdownTableCells(
      sources.slice(0, sources.indexOf('\n\n', sources.indexOf('|'))),
    )
      .slice(1)
      .flatMap(([fields]) => {
        // `conductance.hrsUs`, `lrsUs`: later names share the first one's group.
        const names = [...fields.matchAll(/`([\w.]+)`/g)].map((match) => match[1]);
        const group = names[0].includes('.')
          ? names[0].slice(0, names[0].lastIndexOf('.') + 1)
          : '';
        return names.map((name, i) => (i === 0 || name.includes('.') ? name : group + name));
      });
    expect(cited.length).toBeGreaterThan(20);
    for (const path of cited) expect(() => profileFieldAt(path)).not.toThrow();
    const listed = profileTableRows()
      .slice(1)
      .map(([field]) => field.replace(/`/g, ''));
    const uncited = listed.filter((path) => !path.startsWith('drift.') && !cited.includes(path));
    expect(uncited).toEqual([]);
  });
});
