/**
 * `npm run report:exports`: the public face of each library, measured. For every
 * `libs/<lib>/src/index.ts` (and its `testing.ts` entry point, when it has one) it lists the
 * exported names and how many of them are imported outside the library (by apps, other
 * libraries, e2e, tools or bench scripts, specs included). A name only the library's own files
 * use belongs in the file that declares it, not in the index.
 *
 * `--names` also prints each exported name with the number of files outside the library that
 * import it (0: a candidate for removal from the index).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** The names a module exports (`export *` is reported as `*`). */
export function exportedNames(text: string, fileName = 'index.ts'): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (!clause) names.add('*');
      else if (ts.isNamedExports(clause))
        for (const element of clause.elements) names.add(element.name.text);
      else names.add(clause.name.text);
      continue;
    }
    if (ts.isExportAssignment(statement)) {
      names.add('default');
      continue;
    }
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    if (!modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    if (modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) {
      names.add('default');
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations)
        if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement) ||
        ts.isModuleDeclaration(statement)) &&
      statement.name &&
      ts.isIdentifier(statement.name)
    ) {
      names.add(statement.name.text);
    }
  }
  return [...names].sort();
}

/**
 * The names a file takes from each module it imports or re-exports from: named imports (by their
 * exported name), `import('module').Name` types; a default import is `default`, a namespace
 * import or `export *` is `*`.
 */
export function importedNames(text: string, fileName = 'file.ts'): Map<string, Set<string>> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const result = new Map<string, Set<string>>();
  const add = (specifier: string, name: string) => {
    let names = result.get(specifier);
    if (!names) result.set(specifier, (names = new Set()));
    names.add(name);
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const specifier = node.moduleSpecifier.text;
      const clause = node.importClause;
      if (clause?.name) add(specifier, 'default');
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) add(specifier, '*');
      else if (bindings)
        for (const element of bindings.elements)
          add(specifier, (element.propertyName ?? element.name).text);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const specifier = node.moduleSpecifier.text;
      const clause = node.exportClause;
      if (!clause || ts.isNamespaceExport(clause)) add(specifier, '*');
      else
        for (const element of clause.elements)
          add(specifier, (element.propertyName ?? element.name).text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      const qualifier = node.qualifier;
      if (qualifier) {
        let first: ts.EntityName = qualifier;
        while (ts.isQualifiedName(first)) first = first.left;
        add(node.argument.literal.text, first.text);
      } else add(node.argument.literal.text, '*');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return result;
}

/** One entry point of a library: its exported names and who outside the library imports them. */
export interface EntryCount {
  lib: string;
  /** `index` (`@engram/<lib>`) or `testing` (`@engram/<lib>/testing`) */
  entry: 'index' | 'testing';
  exported: string[];
  /** exported name -> number of files outside the library importing it */
  usedBy: Map<string, number>;
}

/** A source file of the workspace, by its path relative to the root. */
export interface WorkspaceFile {
  path: string;
  text: string;
}

/** The library a file belongs to (`libs/<lib>/...`), if any. */
function libOf(file: string): string | undefined {
  const match = /^libs\/([^/]+)\//.exec(file);
  return match?.[1];
}

/**
 * Counts, for each entry point, its exported names and how many files outside the library import
 * each of them. `entries` maps `lib` to the text of its `index.ts` and, when present, `testing.ts`.
 */
export function countExports(
  entries: Map<string, { index: string; testing?: string }>,
  files: readonly WorkspaceFile[],
): EntryCount[] {
  const counts: EntryCount[] = [];
  const bySpecifier = new Map<string, EntryCount>();
  for (const [lib, { index, testing }] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    const sources: [EntryCount['entry'], string | undefined, string][] = [
      ['index', index, `@engram/${lib}`],
      ['testing', testing, `@engram/${lib}/testing`],
    ];
    for (const [entry, text, specifier] of sources) {
      if (text === undefined) continue;
      const count: EntryCount = { lib, entry, exported: exportedNames(text), usedBy: new Map() };
      counts.push(count);
      bySpecifier.set(specifier, count);
    }
  }
  for (const file of files) {
    const owner = libOf(file.path);
    for (const [specifier, names] of importedNames(file.text, file.path)) {
      const count = bySpecifier.get(specifier);
      if (!count || count.lib === owner) continue;
      const used = names.has('*') ? count.exported : [...names];
      for (const name of used) count.usedBy.set(name, (count.usedBy.get(name) ?? 0) + 1);
    }
  }
  return counts;
}

/** The number of exported names imported outside the library. */
export function usedCount(count: EntryCount): number {
  return count.exported.filter((name) => (count.usedBy.get(name) ?? 0) > 0).length;
}

const SOURCE_DIRS = ['apps', 'libs', 'tools', 'bench', 'e2e'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'tmp', 'coverage', '.nx']);

function workspaceFiles(root: string): WorkspaceFile[] {
  const files: WorkspaceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(relative);
      } else if (/\.(m|c)?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push({ path: relative, text: fs.readFileSync(path.join(root, relative), 'utf8') });
      }
    }
  };
  for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(root, dir))) walk(dir);
  return files;
}

function libraryEntries(root: string): Map<string, { index: string; testing?: string }> {
  const entries = new Map<string, { index: string; testing?: string }>();
  for (const lib of fs.readdirSync(path.join(root, 'libs'))) {
    const src = path.join(root, 'libs', lib, 'src');
    const index = path.join(src, 'index.ts');
    if (!fs.existsSync(index)) continue;
    const testing = path.join(src, 'testing.ts');
    entries.set(lib, {
      index: fs.readFileSync(index, 'utf8'),
      testing: fs.existsSync(testing) ? fs.readFileSync(testing, 'utf8') : undefined,
    });
  }
  return entries;
}

/** The report as text lines: a table, then (with `names`) each entry point's names. */
export function formatReport(counts: readonly EntryCount[], names: boolean): string[] {
  const rows = counts.map((count) => ({
    entry: count.entry === 'index' ? `@engram/${count.lib}` : `@engram/${count.lib}/testing`,
    exported: count.exported.length,
    used: usedCount(count),
  }));
  const width = Math.max(...rows.map((row) => row.entry.length), 'entry point'.length);
  const lines = [
    `${'entry point'.padEnd(width)}  exported  used outside`,
    ...rows.map(
      (row) =>
        `${row.entry.padEnd(width)}  ${String(row.exported).padStart(8)}  ${String(row.used).padStart(12)}`,
    ),
  ];
  if (names) {
    for (const count of counts) {
      const entry =
        count.entry === 'index' ? `@engram/${count.lib}` : `@engram/${count.lib}/testing`;
      lines.push('', `${entry}:`);
      for (const name of count.exported)
        lines.push(`  ${name.padEnd(40)} ${count.usedBy.get(name) ?? 0}`);
    }
  }
  return lines;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '../..');
  const counts = countExports(libraryEntries(root), workspaceFiles(root));
  for (const line of formatReport(counts, process.argv.includes('--names'))) console.log(line);
}
